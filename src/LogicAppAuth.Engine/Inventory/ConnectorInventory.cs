using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// Lists API connections with their status and the Consumption workflows and Standard apps that use them, for a
/// resource group, subscriptions, management groups, the whole tenant, or one resource. Wide scopes read through
/// Azure Resource Graph and fall back to ARM lists per resource group when Resource Graph is refused.
/// </summary>
public sealed class ConnectorInventory
{
    private const string ReferencingResourcesQuery =
        "resources | where type =~ 'microsoft.logic/workflows' or (type =~ 'microsoft.web/sites' and kind contains 'workflowapp') | order by id asc";

    private const string ConnectionsQuery = "resources | where type =~ 'microsoft.web/connections' | order by id asc";

    private readonly AzureSession _session;
    private readonly IOperationSink _sink;
    private readonly InventoryOptions _options;
    private readonly Func<ConnectorStatus, bool> _filter;
    private readonly Action<InventoryEntry> _consume;
    private readonly Action<ConnectionFacts>? _onRead;
    private readonly ArmRestClient _arm;

    /// <summary>An inventory that writes each connection's status row to <paramref name="sink"/>.</summary>
    public ConnectorInventory(AzureSession session, IOperationSink sink, InventoryOptions options, Func<ConnectorStatus, bool>? filter = null)
        : this(session, sink, options, filter, null)
    {
    }

    /// <summary>
    /// An inventory that hands each connection, with its document and references, to <paramref name="consume"/>, sending
    /// its requests through <paramref name="arm"/> when given (so that they count with the caller's); <paramref name="onRead"/>
    /// sees each connection as soon as it is read, before the references that complete it.
    /// </summary>
    internal ConnectorInventory(AzureSession session, IOperationSink sink, InventoryOptions options, Func<ConnectorStatus, bool>? filter, Action<InventoryEntry>? consume,
        ArmRestClient? arm = null, Action<ConnectionFacts>? onRead = null)
    {
        _onRead = onRead;
        _session = session;
        _sink = sink;
        _options = options;
        _filter = filter ?? (_ => true);
        _consume = consume ?? (entry => sink.WriteObject(entry.Status));
        _arm = arm ?? session.Arm(sink);
    }

    /// <summary>
    /// Lists a resource group through ARM (fresh, and cheap at this size). With no subscription given, the group
    /// is looked for in the default subscription, or else in every subscription the caller can see.
    /// </summary>
    public async Task ListResourceGroupAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
    {
        var candidates = subscriptionIds.Count > 0
            ? subscriptionIds
            : _session.DefaultSubscriptionId.Length > 0
                ? new[] { _session.DefaultSubscriptionId }
                : (await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.SubscriptionId).ToList();
        var subscriptions = candidates.Count == 1
            ? candidates
            : await SubscriptionsHoldingAsync(resourceGroupName, candidates, cancellationToken).ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            throw new LogicAppAuthException("ResourceGroupNotFound", FailureKind.ObjectNotFound,
                $"Resource group '{resourceGroupName}' was not found in the subscriptions searched ({string.Join(", ", candidates)}). " +
                "Check the name, or name the subscription with -SubscriptionId.", resourceGroupName);
        }

        foreach (var subscriptionId in subscriptions)
        {
            var group = new[] { (subscriptionId, resourceGroupName) };
            await ScanAsync(
                collector => ReadGroupReferencesAsync(group, collector.References, cancellationToken),
                collector => ReadGroupConnectionsAsync(group, collector, cancellationToken),
                id => IsInGroup(id, subscriptionId, resourceGroupName)).ConfigureAwait(false);
        }
    }

    /// <summary>Lists what one resource id names: a subscription, a resource group, a connection, or the connections a workflow or Standard app uses.</summary>
    public Task ListResourceIdAsync(string resourceId, CancellationToken cancellationToken) => ListResourceIdsAsync(new[] { resourceId }, cancellationToken);

    /// <summary>
    /// Lists what each id names (see <see cref="ListResourceIdAsync"/>), several at once; a failure is written
    /// against its id and the others go on. Connections of one resource group share one read of its logic apps.
    /// </summary>
    public Task ListResourceIdsAsync(IReadOnlyList<string> resourceIds, CancellationToken cancellationToken) =>
        Concurrency.ForEachAsync(resourceIds.Distinct(StringComparer.OrdinalIgnoreCase), async text =>
        {
            if (resourceIds.Count == 1)
            {
                await ListOneAsync(text, cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                await ListOneAsync(text, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                _sink.WriteError(ExceptionTranslator.Translate(e, text));
            }
        }, cancellationToken, 8);

    private async Task ListOneAsync(string resourceId, CancellationToken cancellationToken)
    {
        var id = AzureResourceId.Parse(resourceId);
        if (id.IsType(AzureResourceId.SubscriptionType))
        {
            await ListSubscriptionsAsync(new[] { id.SubscriptionId }, cancellationToken).ConfigureAwait(false);
        }
        else if (id.IsType(AzureResourceId.ResourceGroupType))
        {
            await ListResourceGroupAsync(id.ResourceGroupName, new[] { id.SubscriptionId }, cancellationToken).ConfigureAwait(false);
        }
        else if (id.IsType(AzureResourceId.ConnectionType))
        {
            await ListConnectionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        else if (id.IsType(AzureResourceId.WorkflowType))
        {
            using var workflow = await _arm.GetAsync($"{id.Id}?api-version={ApiVersions.Workflows}", id.Id, cancellationToken).ConfigureAwait(false);
            var references = new ReferenceMap();
            references.Add(ConnectionReferenceReader.ReadWorkflow(workflow.RootElement));
            await ListReferencedConnectionsAsync(references, cancellationToken).ConfigureAwait(false);
        }
        else if (id.IsType(AzureResourceId.SiteType))
        {
            using var site = await _arm.GetAsync($"{id.Id}?api-version={ApiVersions.Sites}", id.Id, cancellationToken).ConfigureAwait(false);
            var app = await StandardAppConnectionsAsync(site.RootElement, cancellationToken).ConfigureAwait(false);
            await ListReferencedConnectionsAsync(app, cancellationToken).ConfigureAwait(false);
        }
        else if (id.IsType(BuiltInConnection.ResourceType))
        {
            await ListBuiltInConnectionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new LogicAppAuthException("UnsupportedResourceType", FailureKind.InvalidArgument,
                $"'{id.Id}' is a {id.ResourceType}. Give a subscription, resource group, Microsoft.Web/connections, Microsoft.Logic/workflows, Standard logic app " +
                "(Microsoft.Web/sites) or built-in connection ({app id}/serviceProviderConnections/{name}) id.", resourceId);
        }
    }

    /// <summary>Every subscription the caller can see.</summary>
    public async Task ListAllAsync(CancellationToken cancellationToken)
    {
        var visible = await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        await ListSubscriptionsAsync(visible.Select(s => s.SubscriptionId).ToList(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The given subscriptions. One the caller cannot see gets a PermissionDenied error of its own; the rest are listed.
    /// </summary>
    public async Task ListSubscriptionsAsync(IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
    {
        var visible = (await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
            .Select(s => s.SubscriptionId).ToList();
        var readable = SubscriptionAccess.Readable(subscriptionIds, visible, _sink);
        if (readable.Count == 0)
        {
            return;
        }

        Func<string, bool> inScope = id => readable.Any(s => id.StartsWith("/subscriptions/" + s + "/", StringComparison.OrdinalIgnoreCase));
        if (await TryResourceGraphAsync(readable, Array.Empty<string>(), inScope, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var groups = await ResourceGroupsAsync(readable, cancellationToken).ConfigureAwait(false);
        await ScanAsync(
            collector => ReadGroupReferencesAsync(groups, collector.References, cancellationToken),
            collector => ReadGroupConnectionsAsync(groups, collector, cancellationToken),
            inScope).ConfigureAwait(false);
    }

    /// <summary>Every subscription under the given management groups; only Resource Graph can answer this.</summary>
    public async Task ListManagementGroupsAsync(IReadOnlyCollection<string> managementGroupIds, CancellationToken cancellationToken)
    {
        var seenSubscriptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Func<string, bool> inScope = id => seenSubscriptions.Contains(AzureResourceId.SubscriptionOf(id));
        if (!await TryResourceGraphAsync(Array.Empty<string>(), managementGroupIds, inScope, cancellationToken, seenSubscriptions).ConfigureAwait(false))
        {
            throw new LogicAppAuthException("ManagementGroupNeedsResourceGraph", FailureKind.PermissionDenied,
                "Listing a management group needs Azure Resource Graph, which is not available to this identity. " +
                "Give -SubscriptionId for its subscriptions instead.", string.Join(",", managementGroupIds));
        }
    }

    /// <summary>
    /// Which logic apps of a subscription reference each connection, read fresh through ARM's subscription-wide lists
    /// (not Resource Graph, whose copy can lag): what a fix must know before it changes a connection.
    /// </summary>
    internal async Task<ReferenceMap> SubscriptionReferencesAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var references = new ReferenceMap();
        var scope = "/subscriptions/" + subscriptionId;
        await ReadReferencesAsync(references, addReferences => Task.WhenAll(
            _arm.ListAsync($"{scope}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}", addReferences, scope, cancellationToken),
            _arm.ListAsync($"{scope}/providers/Microsoft.Web/sites?api-version={ApiVersions.Sites}", addReferences, scope, cancellationToken)), cancellationToken).ConfigureAwait(false);
        return references;
    }

    private async Task<bool> TryResourceGraphAsync(IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
        Func<string, bool> inScope, CancellationToken cancellationToken, HashSet<string>? seenSubscriptions = null)
    {
        if (!_options.UseResourceGraph)
        {
            return false;
        }

        var graph = new ResourceGraphClient(_arm, _sink);
        try
        {
            await ScanAsync(
                collector => ReadGraphReferencesAsync(graph, subscriptions, managementGroups, collector.References, seenSubscriptions, cancellationToken),
                collector => graph.QueryAsync(ConnectionsQuery, subscriptions, managementGroups, row =>
                {
                    var facts = ConnectionFacts.Read(row, fromResourceGraph: true);
                    seenSubscriptions?.Add(facts.Status.SubscriptionId);
                    Add(collector, facts, cancellationToken);
                }, new OperationProgress(2, "Reading API connections (Azure Resource Graph)", ""), cancellationToken),
                inScope).ConfigureAwait(false);
            return true;
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403 && e.Target.StartsWith("/providers/Microsoft.ResourceGraph", StringComparison.OrdinalIgnoreCase))
        {
            _options.UseResourceGraph = false;
            if (_options.FirstTime("ResourceGraphRefused"))
            {
                _sink.WriteWarning("Azure Resource Graph refused the query (" + e.ErrorId + "); listing through ARM per resource group instead, which is slower. " +
                    "Grant Microsoft.ResourceGraph/resources/read (e.g. Reader) to use it, or pass -NoResourceGraph to skip it.");
            }

            return false;
        }
    }

    /// <summary>
    /// The shape of every listing: read who references what while connections are read, then emit connections
    /// with their users, then the referenced connections that do not exist.
    /// </summary>
    private async Task ScanAsync(Func<ConnectionCollector, Task> readReferences, Func<ConnectionCollector, Task<int>> readConnections, Func<string, bool> inScope)
    {
        var collector = new ConnectionCollector(new ReferenceMap(), _filter, _consume, _onRead);
        var connections = readConnections(collector);
        try
        {
            await readReferences(collector).ConfigureAwait(false);
        }
        catch
        {
            // Nothing buffered is emitted: the caller may fall back to another source and list everything again.
            await connections.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        collector.ReferencesComplete();
        AddBuiltIns(collector, inScope);
        await connections.ConfigureAwait(false);
        await collector.AddedAsync().ConfigureAwait(false);
        collector.EmitMissing(inScope, "not in the connection list of its resource group");
    }

    private Task ReadGraphReferencesAsync(ResourceGraphClient graph, IReadOnlyCollection<string> subscriptions, IReadOnlyCollection<string> managementGroups,
        ReferenceMap references, HashSet<string>? seenSubscriptions, CancellationToken cancellationToken) =>
        ReadReferencesAsync(references, addReferences => graph.QueryAsync(ReferencingResourcesQuery, subscriptions, managementGroups, row =>
        {
            if (seenSubscriptions != null)
            {
                lock (seenSubscriptions)
                {
                    seenSubscriptions.Add(Json.String(row, "subscriptionId"));
                }
            }

            addReferences(row);
        }, new OperationProgress(3, "Reading workflows and Standard apps (Azure Resource Graph)", ""), cancellationToken), cancellationToken);

    /// <summary>The references of the logic apps of each group, each group read once per invocation.</summary>
    private async Task ReadGroupReferencesAsync(IReadOnlyCollection<(string Subscription, string Group)> groups, ReferenceMap references, CancellationToken cancellationToken)
    {
        await Concurrency.ForEachAsync(groups, async group =>
        {
            var groupId = AzureResourceId.ResourceGroup(group.Subscription, group.Group);
            references.AddAll(await _options.GroupReferences.GetAsync(groupId, () => ReadGroupAsync(groupId, cancellationToken)).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The workflows and Standard apps of one group; a list the caller may not read is recorded as a gap and warned about once.</summary>
    private async Task<ReferenceMap> ReadGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var references = new ReferenceMap();
        await ReadReferencesAsync(references, addReferences => Task.WhenAll(
            ListTolerantAsync($"{groupId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}", addReferences, groupId, "workflows", cancellationToken),
            ListTolerantAsync($"{groupId}/providers/Microsoft.Web/sites?api-version={ApiVersions.Sites}", addReferences, groupId, "Standard apps", cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        return references;
    }

    private async Task ListTolerantAsync(string path, Action<JsonElement> onItem, string groupId, string kind, CancellationToken cancellationToken)
    {
        try
        {
            await _arm.ListAsync(path, onItem, groupId, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403)
        {
            _options.RecordGap(groupId, kind, $"{kind} of {AzureResourceId.LastSegment(groupId)} not readable ({e.HttpStatus} {e.ErrorId})");
            if (_options.FirstTime("list-refused:" + kind))
            {
                _sink.WriteWarning($"The {kind} of {groupId} could not be listed ({e.HttpStatus} {e.ErrorId}); which logic apps use its connections, and their identities, " +
                    "are unknown there. Reader on the resource group is enough.");
            }
        }
    }

    /// <summary>
    /// Adds the references of the workflow and site rows that <paramref name="readRows"/> hands over. A Standard app's
    /// connections.json is asked for as soon as its row arrives, while later pages are still being read.
    /// </summary>
    private async Task ReadReferencesAsync(ReferenceMap references, Func<Action<JsonElement>, Task> readRows, CancellationToken cancellationToken)
    {
        using var stopReads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var standardApps = new ConcurrentWork(stopReads.Token);
        try
        {
            await readRows(row => AddReferences(row, references, standardApps, stopReads.Token)).ConfigureAwait(false);
        }
        catch
        {
            // Cancel the reads still queued and let those in flight end, so that nothing runs on behind the failure.
            stopReads.Cancel();
            await standardApps.WhenAllAsync().ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        await standardApps.WhenAllAsync().ConfigureAwait(false);
        if (standardApps.Count > 0)
        {
            _sink.WriteVerbose($"Read connections.json of {standardApps.Count} Standard logic apps.");
        }
    }

    private async Task<int> ReadGroupConnectionsAsync(IReadOnlyCollection<(string Subscription, string Group)> groups, ConnectionCollector collector, CancellationToken cancellationToken)
    {
        int total = 0, done = 0;
        await Concurrency.ForEachAsync(groups, async group =>
        {
            var groupId = AzureResourceId.ResourceGroup(group.Subscription, group.Group);
            int count = await _arm.ListAsync($"{groupId}/providers/Microsoft.Web/connections?api-version={ApiVersions.Connections}",
                row => Add(collector, ConnectionFacts.Read(row), cancellationToken), groupId, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref total, count);
            int finished = Interlocked.Increment(ref done);
            if (groups.Count > 1)
            {
                _sink.WriteProgress(new OperationProgress(1, "Listing API connections", $"{finished} of {groups.Count} resource groups, {total} connections", finished * 100 / groups.Count));
            }
        }, cancellationToken).ConfigureAwait(false);
        if (groups.Count > 1)
        {
            _sink.WriteProgress(new OperationProgress(1, "Listing API connections", "Done", completed: true));
        }

        _sink.WriteVerbose($"ARM lists: {total} connections in {groups.Count} resource groups.");
        return total;
    }

    private void AddReferences(JsonElement row, ReferenceMap references, ConcurrentWork standardApps, CancellationToken cancellationToken)
    {
        if (Json.String(row, "type").Equals(AzureResourceId.WorkflowType, StringComparison.OrdinalIgnoreCase))
        {
            references.Add(ConnectionReferenceReader.ReadWorkflow(row));
        }
        else if (ConnectionReferenceReader.IsStandardApp(row))
        {
            var site = row.Clone();
            standardApps.Start(async () => references.AddAll(await StandardAppConnectionsAsync(site, cancellationToken).ConfigureAwait(false)));
        }
    }

    /// <summary>
    /// What a Standard app's connections.json says: the API connections it uses, and its built-in connections with
    /// the workflows that call them. Without the right to read it, the app is left out of UsedBy with one warning.
    /// <paramref name="onFile"/> gets the file as listed and the values it resolved with, for a caller that edits it.
    /// </summary>
    internal async Task<ReferenceMap> StandardAppConnectionsAsync(JsonElement site, CancellationToken cancellationToken,
        Action<JsonElement, DeploymentValues>? onFile = null)
    {
        var siteId = Json.String(site, "id");
        var app = new ReferenceMap();
        try
        {
            using var response = await _arm.PostAsync($"{siteId}/listWorkflowsConnections?api-version={ApiVersions.ListWorkflowsConnections}", null, siteId, cancellationToken)
                .ConfigureAwait(false);
            using var file = ConnectionReferenceReader.ConnectionsFile(response.RootElement);
            if (file == null)
            {
                return app;
            }

            // The workflows that call built-in connections are read alongside the app settings the file names.
            bool declaresBuiltIns = Json.Path(file.RootElement, "serviceProviderConnections") is JsonElement declared
                && declared.ValueKind == JsonValueKind.Object && declared.EnumerateObject().Any();
            var calls = declaresBuiltIns ? ServiceProviderCallsAsync(siteId, cancellationToken) : Task.FromResult<IReadOnlyList<ConnectionReference>>(Array.Empty<ConnectionReference>());
            var values = await DeploymentValues.ReadAsync(_arm, siteId, file.RootElement, cancellationToken).ConfigureAwait(false);
            var references = ConnectionReferenceReader.ReadConnectionsFile(site, file.RootElement, values);
            if (references.Any(r => r.Unresolved.Length > 0) && _options.FirstTime("UnresolvedConnectionIds"))
            {
                _sink.WriteWarning($"connections.json of Standard app {Json.String(site, "name")} names connections through values that could not be read " +
                    $"({references.First(r => r.Unresolved.Length > 0).Unresolved}); they were matched to connections by name within the app's subscription, " +
                    "and diagnoses say so.");
            }

            app.Add(references);
            app.AddBuiltIns(BuiltInConnection.Read(site, file.RootElement, values));
            app.Add(await calls.ConfigureAwait(false));
            onFile?.Invoke(file.RootElement, values);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 404 || e.HttpStatus == 400)
        {
            _options.RecordGap(AzureResourceId.ResourceGroup(AzureResourceId.SubscriptionOf(siteId), GroupOf(siteId)),
                "Standard apps", $"connections.json of Standard app {Json.String(site, "name")} not readable ({e.HttpStatus} {e.ErrorId})");
            if (_options.FirstTime("ListWorkflowsConnectionsRefused:" + e.HttpStatus))
            {
                _sink.WriteWarning($"Reading Standard logic apps' connections.json failed ({e.HttpStatus} {e.ErrorId}, e.g. {siteId}); UsedBy leaves those apps out and their " +
                    "identities and access policies are not checked. It needs Microsoft.Web/sites/listWorkflowsConnections/action (e.g. Logic App Standard Reader or Website Contributor).");
            }
        }

        return app;
    }

    /// <summary>Which of a Standard app's workflows call which built-in connection (<c>GET {site}/workflows</c>, then each workflow's files).</summary>
    private async Task<IReadOnlyList<ConnectionReference>> ServiceProviderCallsAsync(string siteId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var calls = new List<ConnectionReference>();
        try
        {
            await _arm.ListAsync($"{siteId}/workflows?api-version={ApiVersions.Sites}", w => names.Add(AzureResourceId.LastSegment(Json.String(w, "name"))), siteId, cancellationToken)
                .ConfigureAwait(false);
            await Concurrency.ForEachAsync(names, async name =>
            {
                using var workflow = await _arm.GetAsync($"{siteId}/workflows/{name}?api-version={ApiVersions.Sites}", siteId, cancellationToken).ConfigureAwait(false);
                if (Json.Path(workflow.RootElement, "properties", "files", "workflow.json") is JsonElement file)
                {
                    var found = ConnectionReferenceReader.ReadServiceProviderCalls(siteId, name, file);
                    lock (calls)
                    {
                        calls.AddRange(found);
                    }
                }
            }, cancellationToken, 4).ConfigureAwait(false);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 403)
        {
            if (_options.FirstTime("SiteWorkflowsRefused"))
            {
                _sink.WriteWarning($"The workflows of Standard apps could not be read ({e.HttpStatus} {e.ErrorId}, e.g. {siteId}); UsedBy of their built-in connections is empty. " +
                    "It needs Microsoft.Web/sites/workflows/read (Reader is enough).");
            }
        }

        return calls;
    }

    /// <summary>
    /// Adds a connection; one that names a sign-in parameter set waits for its connector's metadata, which says
    /// whether that set is the managed identity (read once per connector and location).
    /// </summary>
    private void Add(ConnectionCollector collector, ConnectionFacts facts, CancellationToken cancellationToken)
    {
        if (!facts.NamesASignInSet)
        {
            collector.Add(facts);
            return;
        }

        collector.AddLater(Task.Run(async () =>
        {
            facts.ClassifyBy(await _options.Catalog.ShapeAsync(_arm, facts.ApiId, cancellationToken).ConfigureAwait(false));
            collector.Add(facts);
        }));
    }

    /// <summary>Adds the built-in connections the apps read so far declare, those in scope.</summary>
    private static void AddBuiltIns(ConnectionCollector collector, Func<string, bool> inScope)
    {
        foreach (var builtIn in collector.References.BuiltIns.Where(b => inScope(b.ResourceId)))
        {
            collector.Add(ConnectionFacts.ForBuiltIn(builtIn));
        }
    }

    /// <summary>One built-in connection by id: its app's connections.json and workflows are read, and the entry emitted (or a NotFound row / an error when it has none).</summary>
    private async Task ListBuiltInConnectionAsync(AzureResourceId id, CancellationToken cancellationToken)
    {
        var (siteId, entry) = BuiltInConnection.Split(id.Id);
        using var site = await _arm.GetAsync($"{siteId}?api-version={ApiVersions.Sites}", siteId, cancellationToken).ConfigureAwait(false);
        var collector = new ConnectionCollector(await StandardAppConnectionsAsync(site.RootElement, cancellationToken).ConfigureAwait(false), _filter, _consume, _onRead);
        collector.ReferencesComplete();
        AddBuiltIns(collector, builtIn => string.Equals(builtIn, id.Id, StringComparison.OrdinalIgnoreCase));
        if (!collector.References.BuiltIns.Any(b => string.Equals(b.EntryName, entry, StringComparison.OrdinalIgnoreCase)))
        {
            if (!_options.MissingConnectionsAsRows)
            {
                throw new LogicAppAuthException("ResourceNotFound", FailureKind.ObjectNotFound,
                    $"Standard app {AzureResourceId.LastSegment(siteId)} has no built-in connection '{entry}' in its connections.json. Check the name (Get-LogicConnectorStatus lists them).", id.Id)
                { HttpStatus = 404 };
            }

            collector.EmitGone(id, "not in the app's serviceProviderConnections");
        }
    }

    /// <summary>One connection by id, with the logic apps of its resource group that use it. A connection that is gone is an error, or a NotFound row when diagnosing.</summary>
    private async Task ListConnectionAsync(AzureResourceId id, CancellationToken cancellationToken)
    {
        var group = new[] { (id.SubscriptionId, id.ResourceGroupName) };
        var collector = new ConnectionCollector(new ReferenceMap(), _filter, _consume, _onRead);

        // The group first: a group or subscription that does not exist is reported as such, against its own id.
        await ReadGroupReferencesAsync(group, collector.References, cancellationToken).ConfigureAwait(false);
        ConnectionFacts? facts = null;
        string missing = "";
        try
        {
            using var document = await _arm.GetAsync($"{id.Id}?api-version={ApiVersions.Connections}", id.Id, cancellationToken).ConfigureAwait(false);
            facts = ConnectionFacts.Read(document.RootElement);
        }
        catch (LogicAppAuthException e) when (e.HttpStatus == 404 && _options.MissingConnectionsAsRows)
        {
            missing = $"GET returned 404 {e.ErrorId}";
        }

        collector.ReferencesComplete();
        if (facts != null)
        {
            Add(collector, facts, cancellationToken);
            await collector.AddedAsync().ConfigureAwait(false);
        }
        else
        {
            collector.EmitGone(id, missing);
        }
    }

    /// <summary>The connections a workflow or Standard app uses (<paramref name="used"/>: what it says), each read by id.</summary>
    private async Task ListReferencedConnectionsAsync(ReferenceMap used, CancellationToken cancellationToken)
    {
        var collector = new ConnectionCollector(used, _filter, _consume, _onRead);
        collector.ReferencesComplete();
        AddBuiltIns(collector, _ => true);
        var distinct = used.ConnectionIds().Where(c => !BuiltInConnection.IsBuiltInId(c)).ToList();
        await Concurrency.ForEachAsync(distinct, async connectionId =>
        {
            try
            {
                using var document = await _arm.GetAsync($"{connectionId}?api-version={ApiVersions.Connections}", connectionId, cancellationToken).ConfigureAwait(false);
                Add(collector, ConnectionFacts.Read(document.RootElement), cancellationToken);
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
                // Emitted as a NotFound row below.
            }
        }, cancellationToken).ConfigureAwait(false);
        await collector.AddedAsync().ConfigureAwait(false);
        collector.EmitMissing(_ => true, "GET returned 404");
    }

    private async Task<IReadOnlyList<SubscriptionInfo>> VisibleSubscriptionsAsync(CancellationToken cancellationToken)
    {
        if (_options.VisibleSubscriptions == null)
        {
            var subscriptions = new List<SubscriptionInfo>();
            await _arm.ListAsync($"/subscriptions?api-version={ApiVersions.Subscriptions}",
                item => subscriptions.Add(new SubscriptionInfo(Json.String(item, "subscriptionId"), Json.String(item, "tenantId"), Json.String(item, "displayName"))),
                "/subscriptions", cancellationToken).ConfigureAwait(false);
            _options.VisibleSubscriptions = subscriptions;
        }

        return _options.VisibleSubscriptions;
    }

    private async Task<IReadOnlyCollection<(string Subscription, string Group)>> ResourceGroupsAsync(IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
    {
        var groups = new List<(string, string)>();
        await Concurrency.ForEachAsync(subscriptionIds, subscriptionId =>
            _arm.ListAsync($"/subscriptions/{subscriptionId}/resourcegroups?api-version={ApiVersions.ResourceGroups}",
                item => { lock (groups) { groups.Add((subscriptionId, Json.String(item, "name"))); } },
                "/subscriptions/" + subscriptionId, cancellationToken), cancellationToken).ConfigureAwait(false);
        return groups;
    }

    private async Task<IReadOnlyCollection<string>> SubscriptionsHoldingAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
    {
        var probes = subscriptionIds.Select(async subscriptionId =>
        {
            var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
            try
            {
                using var _ = await _arm.GetAsync($"{groupId}?api-version={ApiVersions.ResourceGroups}", groupId, cancellationToken).ConfigureAwait(false);
                return subscriptionId;
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
            {
                return null;
            }
        });
        return (await Task.WhenAll(probes).ConfigureAwait(false)).Where(s => s != null).Select(s => s!).ToList();
    }

    private static string GroupOf(string resourceId)
    {
        var parts = resourceId.Split('/');
        return parts.Length > 4 ? parts[4] : "";
    }

    private static bool IsInGroup(string connectionId, string subscriptionId, string resourceGroupName) =>
        connectionId.StartsWith(AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName) + "/", StringComparison.OrdinalIgnoreCase);
}
