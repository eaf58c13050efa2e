using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Lists API connections with their status, how they authenticate, and which workflows use them.
    /// Input is read from the most specific thing given: a resource id, else a resource group, else subscriptions.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "LogicConnectorStatus")]
    [OutputType(typeof(ConnectorStatus))]
    public sealed class GetLogicConnectorStatusCommand : LogicAppAuthCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ResourceGroup")]
        public string? ResourceGroupName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Subscription")]
        public string[]? SubscriptionId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string[]? ResourceId { get; set; }

        /// <summary>
        /// Whatever is piped in. A string is read as a resource id; any other object is read through the
        /// properties bound by name above. (A string[] ResourceId taking pipeline input by value would also
        /// swallow the text form of every object that has no ResourceId.)
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ManagementGroupId { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? ApiName { get; set; }

        [Parameter]
        public SwitchParameter NoResourceGraph { get; set; }

        private readonly List<string> pendingSubscriptions = new List<string>();
        private InventoryOptions options = new InventoryOptions();

        protected override void BeginProcessing() => options = new InventoryOptions(useResourceGraph: !NoResourceGraph);

        protected override void ProcessRecord()
        {
            var session = SessionStore.Current;
            var inventory = (Func<Engine.Operations.IOperationSink, ConnectorInventory>)(sink => new ConnectorInventory(session, sink, options, Matches));
            var subscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            if (InputObject?.BaseObject is string text)
            {
                ResourceId = new[] { text };
            }

            if (ResourceId != null && ResourceId.Any(id => !string.IsNullOrWhiteSpace(id)))
            {
                foreach (var id in ResourceId.Where(id => !string.IsNullOrWhiteSpace(id)))
                {
                    if (SubscriptionOnly(id) is string subscription)
                    {
                        pendingSubscriptions.Add(subscription);
                    }
                    else
                    {
                        Run(id, (sink, token) => inventory(sink).ListResourceIdAsync(id, token));
                    }
                }
            }
            else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
            {
                Run(ResourceGroupName!, (sink, token) => inventory(sink).ListResourceGroupAsync(ResourceGroupName!, subscriptions, token));
            }
            else if (subscriptions.Count > 0)
            {
                pendingSubscriptions.AddRange(subscriptions);
            }
            else if (ManagementGroupId != null)
            {
                Run(string.Join(",", ManagementGroupId), (sink, token) => inventory(sink).ListManagementGroupsAsync(ManagementGroupId, token));
            }
            else if (InputObject != null)
            {
                WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                    "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. Pipe resource ids or objects from Az cmdlets.", InputObject));
            }
            else
            {
                Run("/subscriptions", (sink, token) => inventory(sink).ListAllAsync(token));
            }
        }

        /// <summary>
        /// Subscriptions, however they arrive (a parameter, Get-AzSubscription objects, ids), are listed together at the
        /// end: one Resource Graph scan serves them all, instead of one per piped object.
        /// </summary>
        protected override void EndProcessing()
        {
            if (pendingSubscriptions.Count > 0)
            {
                var session = SessionStore.Current;
                var subscriptions = pendingSubscriptions.ToList();
                Run("/subscriptions/" + string.Join(",", subscriptions),
                    (sink, token) => new ConnectorInventory(session, sink, options, Matches).ListSubscriptionsAsync(subscriptions, token));
            }
        }

        private static string? SubscriptionOnly(string id)
        {
            var trimmed = id.Trim().TrimEnd('/');
            const string prefix = "/subscriptions/";
            if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed.Substring(prefix.Length);
            }

            return Guid.TryParse(trimmed, out var subscription) ? subscription.ToString("D") : null;
        }

        private bool Matches(ConnectorStatus status) =>
            MatchesAny(Name, status.Name) && MatchesAny(ApiName, status.ApiName);

        private static bool MatchesAny(IReadOnlyCollection<string>? patterns, string value) =>
            patterns == null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
    }
}
