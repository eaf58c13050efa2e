using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>
    /// Lists API connections with their status and the workflows that use them, for a resource group,
    /// a subscription, or one resource (a connection or a workflow).
    /// </summary>
    public sealed class ConnectorInventory
    {
        private readonly AzureSession session;
        private readonly IOperationSink sink;
        private readonly Func<ConnectorStatus, bool> filter;
        private readonly ArmRestClient arm;

        public ConnectorInventory(AzureSession session, IOperationSink sink, Func<ConnectorStatus, bool>? filter = null)
        {
            this.session = session;
            this.sink = sink;
            this.filter = filter ?? (_ => true);
            arm = session.Arm(sink);
        }

        /// <summary>
        /// Lists a resource group. With no subscription given, the group is looked for in the default subscription,
        /// or else in every subscription the caller can see.
        /// </summary>
        public async Task ListResourceGroupAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
        {
            var candidates = subscriptionIds.Count > 0 ? subscriptionIds : await DefaultSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
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
                await ListGroupAsync(subscriptionId, resourceGroupName, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Lists what one resource id names: a subscription, a resource group, a connection, or the connections of a workflow.</summary>
        public async Task ListResourceIdAsync(string resourceId, CancellationToken cancellationToken)
        {
            var id = AzureResourceId.Parse(resourceId);
            if (id.IsType(AzureResourceId.SubscriptionType))
            {
                await ListSubscriptionAsync(id.SubscriptionId, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.ResourceGroupType))
            {
                await ListGroupAsync(id.SubscriptionId, id.ResourceGroupName, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.ConnectionType))
            {
                await ListConnectionAsync(id, cancellationToken).ConfigureAwait(false);
            }
            else if (id.IsType(AzureResourceId.WorkflowType))
            {
                await ListWorkflowConnectionsAsync(id, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new LogicAppAuthException("UnsupportedResourceType", FailureKind.InvalidArgument,
                    $"'{id.Id}' is a {id.ResourceType}. Give a subscription, resource group, Microsoft.Web/connections or Microsoft.Logic/workflows id.", id.Id);
            }
        }

        /// <summary>Every subscription the caller can see.</summary>
        public async Task ListAllSubscriptionsAsync(CancellationToken cancellationToken)
        {
            foreach (var subscriptionId in await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ListSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 403 || e.HttpStatus == 401 && e.ErrorId == "InvalidAuthenticationTokenTenant")
                {
                    sink.WriteError(e);
                }
            }
        }

        /// <summary>Every resource group of a subscription, one after the other.</summary>
        public async Task ListSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
        {
            var groups = new List<string>();
            await arm.ListAsync($"/subscriptions/{subscriptionId}/resourcegroups?api-version={ApiVersions.ResourceGroups}",
                item => groups.Add(Json.String(item, "name")), "/subscriptions/" + subscriptionId, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < groups.Count; i++)
            {
                sink.WriteProgress(new OperationProgress(1, $"Listing connections in subscription {subscriptionId}", $"Resource group {groups[i]} ({i + 1} of {groups.Count})",
                    groups.Count == 0 ? -1 : i * 100 / groups.Count));
                await ListGroupAsync(subscriptionId, groups[i], cancellationToken).ConfigureAwait(false);
            }

            sink.WriteProgress(new OperationProgress(1, $"Listing connections in subscription {subscriptionId}", "Done", completed: true));
        }

        private async Task ListGroupAsync(string subscriptionId, string resourceGroupName, CancellationToken cancellationToken)
        {
            var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
            var references = new ReferenceMap();
            var workflows = arm.ListAsync($"{groupId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}",
                workflow => { foreach (var reference in WorkflowReferences.Read(workflow)) { references.Add(reference); } }, groupId, cancellationToken);

            // Connections are fetched while workflows are read; rows are emitted once the map of users is complete.
            var pending = new List<ConnectorStatus>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            bool mapReady = false;
            var gate = new object();
            var connections = arm.ListAsync($"{groupId}/providers/Microsoft.Web/connections?api-version={ApiVersions.Connections}", document =>
            {
                var status = ConnectionDocument.Read(document);
                lock (gate)
                {
                    seen.Add(status.ResourceId);
                    if (mapReady)
                    {
                        Emit(status, references);
                    }
                    else
                    {
                        pending.Add(status);
                    }
                }
            }, groupId, cancellationToken);

            int workflowCount = await workflows.ConfigureAwait(false);
            lock (gate)
            {
                mapReady = true;
                pending.ForEach(status => Emit(status, references));
                pending.Clear();
            }

            int connectionCount = await connections.ConfigureAwait(false);
            sink.WriteVerbose($"Resource group {resourceGroupName}: {connectionCount} connections, {workflowCount} workflows.");
            foreach (var (id, apiName) in references.Unseen(seen, referenced => IsInGroup(referenced, subscriptionId, resourceGroupName)))
            {
                Emit(ConnectionDocument.Missing(AzureResourceId.Parse(id), apiName), references);
            }
        }

        private async Task ListConnectionAsync(AzureResourceId id, CancellationToken cancellationToken)
        {
            var references = await ReferencesInGroupAsync(id.SubscriptionId, id.ResourceGroupName, cancellationToken).ConfigureAwait(false);
            using var document = await arm.GetAsync($"{id.Id}?api-version={ApiVersions.Connections}", id.Id, cancellationToken).ConfigureAwait(false);
            Emit(ConnectionDocument.Read(document.RootElement), references);
        }

        private async Task ListWorkflowConnectionsAsync(AzureResourceId id, CancellationToken cancellationToken)
        {
            using var workflow = await arm.GetAsync($"{id.Id}?api-version={ApiVersions.Workflows}", id.Id, cancellationToken).ConfigureAwait(false);
            var references = new ReferenceMap();
            var used = WorkflowReferences.Read(workflow.RootElement).ToList();
            used.ForEach(references.Add);
            foreach (var reference in used.GroupBy(r => r.ConnectionId, StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
            {
                var connectionId = AzureResourceId.Parse(reference.ConnectionId);
                try
                {
                    using var document = await arm.GetAsync($"{connectionId.Id}?api-version={ApiVersions.Connections}", connectionId.Id, cancellationToken).ConfigureAwait(false);
                    Emit(ConnectionDocument.Read(document.RootElement), references);
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404)
                {
                    Emit(ConnectionDocument.Missing(connectionId, reference.ApiName), references);
                }
            }
        }

        private async Task<ReferenceMap> ReferencesInGroupAsync(string subscriptionId, string resourceGroupName, CancellationToken cancellationToken)
        {
            var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
            var references = new ReferenceMap();
            await arm.ListAsync($"{groupId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}",
                workflow => { foreach (var reference in WorkflowReferences.Read(workflow)) { references.Add(reference); } }, groupId, cancellationToken).ConfigureAwait(false);
            return references;
        }

        private void Emit(ConnectorStatus status, ReferenceMap references)
        {
            references.Annotate(status);
            if (filter(status))
            {
                sink.WriteObject(status);
            }
        }

        private async Task<IReadOnlyCollection<string>> DefaultSubscriptionsAsync(CancellationToken cancellationToken)
        {
            return session.DefaultSubscriptionId.Length > 0
                ? new[] { session.DefaultSubscriptionId }
                : await VisibleSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        }

        private async Task<IReadOnlyCollection<string>> VisibleSubscriptionsAsync(CancellationToken cancellationToken)
        {
            var subscriptions = new List<string>();
            await arm.ListAsync($"/subscriptions?api-version={ApiVersions.Subscriptions}",
                item => subscriptions.Add(Json.String(item, "subscriptionId")), "/subscriptions", cancellationToken).ConfigureAwait(false);
            return subscriptions;
        }

        private async Task<IReadOnlyCollection<string>> SubscriptionsHoldingAsync(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds, CancellationToken cancellationToken)
        {
            var probes = subscriptionIds.Select(async subscriptionId =>
            {
                var groupId = AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName);
                try
                {
                    using var _ = await arm.GetAsync($"{groupId}?api-version={ApiVersions.ResourceGroups}", groupId, cancellationToken).ConfigureAwait(false);
                    return subscriptionId;
                }
                catch (LogicAppAuthException e) when (e.HttpStatus == 404 || e.HttpStatus == 403)
                {
                    return null;
                }
            });
            return (await Task.WhenAll(probes).ConfigureAwait(false)).Where(s => s != null).Select(s => s!).ToList();
        }

        private static bool IsInGroup(string connectionId, string subscriptionId, string resourceGroupName) =>
            connectionId.StartsWith(AzureResourceId.ResourceGroup(subscriptionId, resourceGroupName) + "/", StringComparison.OrdinalIgnoreCase);
    }
}
