using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Diagnosis
{
    /// <summary>
    /// Diagnoses API connections: reads each connection and the workflows / Standard apps that use it, then proves
    /// causes from statuses, Microsoft Graph (users, applications), ARM (identities, access policies, roles) and,
    /// when asked, live tests and run history. One instance serves a whole cmdlet call, so that every look-up is
    /// made once per call (Graph look-ups deduplicated and batched by 20; tenants, groups, role assignments and
    /// definitions cached) and every missing permission is warned about once.
    /// </summary>
    public sealed partial class ConnectorDiagnostician
    {
        private const string RoleApiVersion = "2022-04-01";
        private readonly AzureSession session;
        private readonly DiagnosisOptions options;
        private readonly ForwardingSink sink = new ForwardingSink();
        private readonly ArmRestClient arm;
        private readonly GraphBatcher graph;
        private readonly SemaphoreSlim armGate;
        private readonly AsyncCache<string> subscriptionTenants = new AsyncCache<string>();
        private readonly AsyncCache<GroupUsers> groups = new AsyncCache<GroupUsers>();
        private readonly AsyncCache<IReadOnlyList<JsonElement>> targets = new AsyncCache<IReadOnlyList<JsonElement>>();
        private readonly AsyncCache<IReadOnlyList<(string Scope, string RoleDefinitionId)>> assignments = new AsyncCache<IReadOnlyList<(string, string)>>();
        private readonly AsyncCache<RoleDefinitionInfo> roleDefinitions = new AsyncCache<RoleDefinitionInfo>();
        private readonly AsyncCache<IReadOnlyList<FailedAction>> runScans = new AsyncCache<IReadOnlyList<FailedAction>>();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> warned =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        private int armRequests;
        private int connections;

        public ConnectorDiagnostician(AzureSession session, DiagnosisOptions? options = null)
        {
            this.session = session;
            this.options = options ?? new DiagnosisOptions();
            arm = session.Arm(sink);
            armGate = new SemaphoreSlim(Math.Max(1, this.options.Concurrency));
            var graphClient = session.GraphPipeline == null ? null : new GraphClient(session.GraphPipeline, session.Cloud.GraphUrl, sink);
            graph = new GraphBatcher(graphClient, this.options.GraphBatchConcurrency);
        }

        public DiagnosisStatistics Statistics => new DiagnosisStatistics
        {
            Connections = Volatile.Read(ref connections),
            ArmRequests = Volatile.Read(ref armRequests),
            GraphRequests = graph.Requests,
            GraphLookups = graph.Lookups,
        };

        /// <summary>Diagnoses what each id names: a connection, a workflow or Standard app (its connections), a resource group or a subscription.</summary>
        public Task DiagnoseResourceIdsAsync(IReadOnlyList<string> resourceIds, IOperationSink output, CancellationToken cancellationToken) =>
            RunAsync(output, cancellationToken, enqueue => Concurrency.ForEachAsync(resourceIds.Distinct(StringComparer.OrdinalIgnoreCase), async text =>
            {
                try
                {
                    await DiagnoseResourceIdAsync(text, enqueue, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    output.WriteError(ExceptionTranslator.Translate(e, text));
                }
            }, cancellationToken, 8));

        /// <summary>
        /// Diagnoses every connection of a resource group (optionally only names that <paramref name="nameFilter"/> accepts).
        /// Without subscriptions, the group is looked for in the default subscription, or else in every visible one.
        /// </summary>
        public Task DiagnoseResourceGroupAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, Func<string, bool>? nameFilter,
            IOperationSink output, CancellationToken cancellationToken) =>
            RunAsync(output, cancellationToken, async enqueue =>
            {
                var candidates = subscriptionIds.Count > 0 ? subscriptionIds : await DefaultSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
                var holding = candidates.Count == 1 ? candidates : await SubscriptionsHoldingAsync(resourceGroupName, candidates, cancellationToken).ConfigureAwait(false);
                if (holding.Count == 0)
                {
                    throw new LogicAppAuthException("ResourceGroupNotFound", FailureKind.ObjectNotFound,
                        $"Resource group '{resourceGroupName}' was not found in the subscriptions searched ({string.Join(", ", candidates)}). " +
                        "Check the name, or name the subscription with -SubscriptionId.", resourceGroupName);
                }

                foreach (var subscriptionId in holding)
                {
                    await DiagnoseGroupAsync(subscriptionId, resourceGroupName, nameFilter, enqueue, cancellationToken).ConfigureAwait(false);
                }
            });

        /// <summary>Diagnoses every connection of the given subscriptions (none: every subscription the caller can see).</summary>
        public Task DiagnoseSubscriptionsAsync(IReadOnlyCollection<string> subscriptionIds, Func<string, bool>? nameFilter, IOperationSink output, CancellationToken cancellationToken) =>
            RunAsync(output, cancellationToken, async enqueue =>
            {
                var visible = await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
                var subscriptions = SubscriptionAccess.Readable(subscriptionIds.Count > 0 ? subscriptionIds : visible, visible, output);

                foreach (var subscriptionId in subscriptions)
                {
                    try
                    {
                        await DiagnoseSubscriptionAsync(subscriptionId, nameFilter, enqueue, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LogicAppAuthException e) when (subscriptionIds.Count == 0 && (e.HttpStatus == 403 || e.HttpStatus == 401))
                    {
                        output.WriteError(e);
                    }
                }
            });

        /// <summary>
        /// Runs one cmdlet call's worth of work: <paramref name="produce"/> finds connections and hands each over;
        /// each is diagnosed concurrently and written as soon as its checks are done. Graph look-ups are held back in
        /// partial batches until no more can come.
        /// </summary>
        private async Task RunAsync(IOperationSink output, CancellationToken cancellationToken, Func<Action<ConnectionWork>, Task> produce)
        {
            sink.Target = output;
            graph.SetCancellation(cancellationToken);
            var diagnoses = new List<Task>();
            var producing = graph.Hold();
            try
            {
                await produce(work =>
                {
                    var hold = graph.Hold();
                    var task = DiagnoseAsync(work, hold, output, cancellationToken);
                    lock (diagnoses)
                    {
                        diagnoses.Add(task);
                    }
                }).ConfigureAwait(false);
            }
            finally
            {
                producing.Dispose();
                Task[] all;
                lock (diagnoses)
                {
                    all = diagnoses.ToArray();
                }

                try
                {
                    await Task.WhenAll(all).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Each diagnosis reports its own failure.
                }

                var stats = Statistics;
                output.WriteVerbose($"Diagnosed {stats.Connections} connection(s): {stats.ArmRequests} ARM request(s), " +
                    $"{stats.GraphLookups} distinct Graph look-up(s) in {stats.GraphRequests} Graph request(s).");
            }
        }

        private async Task DiagnoseAsync(ConnectionWork work, IDisposable hold, IOperationSink output, CancellationToken cancellationToken)
        {
            try
            {
                var diagnosis = await DiagnoseConnectionAsync(work, hold, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref connections);
                output.WriteObject(diagnosis);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                output.WriteError(ExceptionTranslator.Translate(e, work.Facts.Status.ResourceId));
            }
            finally
            {
                hold.Dispose();
            }
        }

        private async Task DiagnoseResourceIdAsync(string text, Action<ConnectionWork> enqueue, CancellationToken cancellationToken)
        {
            var id = AzureResourceId.Parse(text);
            if (id.IsType(AzureResourceId.SubscriptionType))
            {
                await DiagnoseSubscriptionAsync(id.SubscriptionId, null, enqueue, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.ResourceGroupType))
            {
                await DiagnoseGroupAsync(id.SubscriptionId, id.ResourceGroupName, null, enqueue, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.ConnectionType))
            {
                await DiagnoseConnectionIdAsync(id, Array.Empty<ConnectionUser>(), enqueue, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.WorkflowType))
            {
                using var workflow = await ArmGetAsync($"{id.Id}?api-version={ApiVersions.Workflows}", id.Id, cancellationToken).ConfigureAwait(false);
                await DiagnoseUsedConnectionsAsync(ConnectionUserReader.ReadWorkflow(workflow.RootElement).ToList(), enqueue, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.SiteType))
            {
                using var site = await ArmGetAsync($"{id.Id}?api-version={ApiVersions.Sites}", id.Id, cancellationToken).ConfigureAwait(false);
                using var list = await ArmPostAsync($"{id.Id}/listWorkflowsConnections?api-version={StandardAppReferences.ApiVersion}", null, id.Id, cancellationToken).ConfigureAwait(false);
                await DiagnoseUsedConnectionsAsync(ConnectionUserReader.ReadStandardApp(site.RootElement, list.RootElement).ToList(), enqueue, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new LogicAppAuthException("UnsupportedResourceType", FailureKind.InvalidArgument,
                    $"'{id.Id}' is a {id.ResourceType}. Give a subscription, resource group, Microsoft.Web/connections, Microsoft.Logic/workflows or Standard logic app (Microsoft.Web/sites) id.", id.Id);
            }
        }

        private Task DiagnoseUsedConnectionsAsync(IReadOnlyList<ConnectionUser> users, Action<ConnectionWork> enqueue, CancellationToken cancellationToken) =>
            Concurrency.ForEachAsync(users.GroupBy(u => u.ConnectionId, StringComparer.OrdinalIgnoreCase), reference =>
                DiagnoseConnectionIdAsync(AzureResourceId.Parse(reference.Key), reference.ToList(), enqueue, cancellationToken), cancellationToken, 8);

        /// <summary>One connection by id: its document (or a ConnectionDeleted row when it is gone) and its users.</summary>
        private async Task DiagnoseConnectionIdAsync(AzureResourceId id, IReadOnlyList<ConnectionUser> knownUsers, Action<ConnectionWork> enqueue, CancellationToken cancellationToken)
        {
            var groupTask = GroupAsync(id.SubscriptionId, id.ResourceGroupName, cancellationToken);
            ConnectionFacts facts;
            try
            {
                using var document = await ArmGetAsync($"{id.Id}?api-version={ApiVersions.Connections}", id.Id, cancellationToken).ConfigureAwait(false);
                facts = ConnectionFacts.Read(document.RootElement);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
                var group = await groupTask.ConfigureAwait(false);
                var users = Merge(group.For(id.Id), knownUsers);
                var apiId = users.Select(u => u.ApiId).FirstOrDefault(a => a.Length > 0) ?? "";
                enqueue(new ConnectionWork(ConnectionFacts.Missing(ConnectionDocument.Missing(id, LastSegment(apiId)), apiId), users, group,
                    $"GET returned 404 {e.ErrorId}"));
                return;
            }

            var groupUsers = await groupTask.ConfigureAwait(false);
            enqueue(new ConnectionWork(facts, Merge(groupUsers.For(facts.Status.ResourceId), knownUsers), groupUsers, ""));
        }

        private async Task DiagnoseSubscriptionAsync(string subscriptionId, Func<string, bool>? nameFilter, Action<ConnectionWork> enqueue, CancellationToken cancellationToken)
        {
            var names = new List<string>();
            await ArmListAsync($"/subscriptions/{subscriptionId}/resourcegroups?api-version={ApiVersions.ResourceGroups}", g => names.Add(Json.String(g, "name")),
                "/subscriptions/" + subscriptionId, cancellationToken).ConfigureAwait(false);
            await Concurrency.ForEachAsync(names, name => DiagnoseGroupAsync(subscriptionId, name, nameFilter, enqueue, cancellationToken), cancellationToken, 4)
                .ConfigureAwait(false);
        }

        /// <summary>Every connection of a resource group, and the connections its workflows and Standard apps reference that do not exist.</summary>
        private async Task DiagnoseGroupAsync(string subscriptionId, string resourceGroupName, Func<string, bool>? nameFilter, Action<ConnectionWork> enqueue,
            CancellationToken cancellationToken)
        {
            var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
            var groupTask = GroupAsync(subscriptionId, resourceGroupName, cancellationToken);
            var found = new List<ConnectionFacts>();
            await ArmListAsync($"{groupId}/providers/Microsoft.Web/connections?api-version={ApiVersions.Connections}",
                document => found.Add(ConnectionFacts.Read(document)), groupId, cancellationToken).ConfigureAwait(false);
            var group = await groupTask.ConfigureAwait(false);
            var seen = new HashSet<string>(found.Select(f => f.Status.ResourceId.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
            foreach (var facts in found.Where(f => nameFilter == null || nameFilter(f.Status.Name)))
            {
                enqueue(new ConnectionWork(facts, group.For(facts.Status.ResourceId), group, ""));
            }

            foreach (var missing in group.ReferencedConnections().Where(c => !seen.Contains(c) && c.StartsWith(groupId + "/", StringComparison.OrdinalIgnoreCase)))
            {
                var id = AzureResourceId.Parse(missing);
                if (nameFilter != null && !nameFilter(id.Name))
                {
                    continue;
                }

                var users = group.For(missing);
                var apiId = users.Select(u => u.ApiId).FirstOrDefault(a => a.Length > 0) ?? "";
                enqueue(new ConnectionWork(ConnectionFacts.Missing(ConnectionDocument.Missing(id, LastSegment(apiId)), apiId), users, group,
                    "not in the resource group's connection list"));
            }
        }

        /// <summary>The workflows and Standard apps of a resource group and the connections they reference; read once per call.</summary>
        private Task<GroupUsers> GroupAsync(string subscriptionId, string resourceGroupName, CancellationToken cancellationToken) =>
            groups.GetAsync(AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName), async () =>
            {
                var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
                var group = new GroupUsers();
                var workflows = Task.Run(async () =>
                {
                    try
                    {
                        await ArmListAsync($"{groupId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}",
                            w => group.AddRange(ConnectionUserReader.ReadWorkflow(w).ToList()), groupId, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 404)
                    {
                        group.WorkflowsSkipped = $"workflows of {resourceGroupName} not readable ({e.HttpStatus} {e.ErrorId})";
                        Warn("workflows-read:" + e.HttpStatus, $"Workflows could not be listed ({e.HttpStatus} {e.ErrorId}) in {groupId}; which logic apps use a connection, and their identities, are unknown there. Reader on the resource group is enough.");
                    }
                });
                var sites = new List<JsonElement>();
                try
                {
                    await ArmListAsync($"{groupId}/providers/Microsoft.Web/sites?api-version={ApiVersions.Sites}",
                        s => { if (StandardAppReferences.IsStandardApp(s)) { sites.Add(s.Clone()); } }, groupId, cancellationToken).ConfigureAwait(false);
                    await Concurrency.ForEachAsync(sites, async site =>
                    {
                        var siteId = Json.String(site, "id");
                        try
                        {
                            using var list = await ArmPostAsync($"{siteId}/listWorkflowsConnections?api-version={StandardAppReferences.ApiVersion}", null, siteId, cancellationToken)
                                .ConfigureAwait(false);
                            group.AddRange(ConnectionUserReader.ReadStandardApp(site, list.RootElement).ToList());
                        }
                        catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 404 || e.HttpStatus == 400)
                        {
                            group.StandardAppsSkipped = $"connections.json of Standard app {Json.String(site, "name")} not readable ({e.HttpStatus} {e.ErrorId})";
                            Warn("standard-read:" + e.HttpStatus, $"Standard logic apps' connections.json could not be read ({e.HttpStatus} {e.ErrorId}, e.g. {siteId}); " +
                                "access policies and identities of Standard apps are not checked there. It needs Microsoft.Web/sites/listWorkflowsConnections/action (e.g. Logic App Standard Reader or Website Contributor).");
                        }
                    }, cancellationToken, 4).ConfigureAwait(false);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 403)
                {
                    group.StandardAppsSkipped = $"Standard apps of {resourceGroupName} not readable ({e.HttpStatus} {e.ErrorId})";
                }

                await workflows.ConfigureAwait(false);
                return group;
            });

        private void Warn(string key, string message)
        {
            if (warned.TryAdd(key, true))
            {
                sink.WriteWarning(message);
            }
        }

        private async Task<JsonDocument> ArmGetAsync(string path, string target, CancellationToken cancellationToken)
        {
            await armGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref armRequests);
                return await arm.GetAsync(path, target, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                armGate.Release();
            }
        }

        private async Task<JsonDocument> ArmPostAsync(string path, string? body, string target, CancellationToken cancellationToken)
        {
            await armGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref armRequests);
                return await arm.PostAsync(path, body, target, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                armGate.Release();
            }
        }

        /// <summary>Every page of an ARM list; each page is one bounded request.</summary>
        private async Task ArmListAsync(string path, Action<JsonElement> onItem, string target, CancellationToken cancellationToken)
        {
            string? next = path;
            while (!string.IsNullOrEmpty(next))
            {
                using var page = await ArmGetAsync(next!, target, cancellationToken).ConfigureAwait(false);
                if (Json.Path(page.RootElement, "value") is JsonElement items && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        onItem(item);
                    }
                }

                next = Json.String(page.RootElement, "nextLink");
            }
        }

        private async Task<IReadOnlyCollection<string>> DefaultSubscriptionsAsync(CancellationToken cancellationToken) =>
            session.DefaultSubscriptionId.Length > 0 ? new[] { session.DefaultSubscriptionId } : await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false);

        private async Task<IReadOnlyCollection<string>> VisibleSubscriptionsAsync(CancellationToken cancellationToken)
        {
            var subscriptions = new List<string>();
            await ArmListAsync($"/subscriptions?api-version={ApiVersions.Subscriptions}", item =>
            {
                var id = Json.String(item, "subscriptionId");
                subscriptions.Add(id);
                var tenant = Json.String(item, "tenantId");
                if (tenant.Length > 0)
                {
                    _ = subscriptionTenants.GetAsync(id, () => Task.FromResult(tenant));
                }
            }, "/subscriptions", cancellationToken).ConfigureAwait(false);
            return subscriptions;
        }

        private async Task<IReadOnlyCollection<string>> SubscriptionsHoldingAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
        {
            var probes = subscriptionIds.Select(async subscriptionId =>
            {
                var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
                try
                {
                    using var _ = await ArmGetAsync($"{groupId}?api-version={ApiVersions.ResourceGroups}", groupId, cancellationToken).ConfigureAwait(false);
                    return subscriptionId;
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
                {
                    return null;
                }
            });
            return (await Task.WhenAll(probes).ConfigureAwait(false)).Where(s => s != null).Select(s => s!).ToList();
        }

        private static IReadOnlyList<ConnectionUser> Merge(IReadOnlyList<ConnectionUser> first, IReadOnlyList<ConnectionUser> second) =>
            second.Count == 0 ? first : first.Concat(second).GroupBy(u => u.ResourceId + "|" + u.ReferenceName, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();

        private static string LastSegment(string id)
        {
            var trimmed = (id ?? "").TrimEnd('/');
            return trimmed.Substring(trimmed.LastIndexOf('/') + 1);
        }
    }

    /// <summary>One connection to diagnose, with the logic apps that use it.</summary>
    internal sealed class ConnectionWork
    {
        public ConnectionWork(ConnectionFacts facts, IReadOnlyList<ConnectionUser> users, GroupUsers group, string missingEvidence)
        {
            Facts = facts;
            Users = users;
            Group = group;
            MissingEvidence = missingEvidence;
        }

        public ConnectionFacts Facts { get; }
        public IReadOnlyList<ConnectionUser> Users { get; }
        public GroupUsers Group { get; }
        public string MissingEvidence { get; }
    }

    /// <summary>The users (workflows, Standard apps) of a resource group's connections.</summary>
    internal sealed class GroupUsers
    {
        private readonly object gate = new object();
        private readonly List<ConnectionUser> users = new List<ConnectionUser>();

        public string WorkflowsSkipped { get; set; } = "";
        public string StandardAppsSkipped { get; set; } = "";

        public void AddRange(IEnumerable<ConnectionUser> items)
        {
            lock (gate)
            {
                users.AddRange(items);
            }
        }

        public IReadOnlyList<ConnectionUser> For(string connectionId)
        {
            var key = connectionId.TrimEnd('/');
            lock (gate)
            {
                return users.Where(u => string.Equals(u.ConnectionId, key, StringComparison.OrdinalIgnoreCase)).ToList();
            }
        }

        public IReadOnlyList<string> ReferencedConnections()
        {
            lock (gate)
            {
                return users.Select(u => u.ConnectionId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            }
        }
    }
}
