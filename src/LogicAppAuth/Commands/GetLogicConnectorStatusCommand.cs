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
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? ApiName { get; set; }

        protected override void ProcessRecord()
        {
            var session = SessionStore.Current;
            var inventory = (Func<Engine.Operations.IOperationSink, ConnectorInventory>)(sink => new ConnectorInventory(session, sink, Matches));
            var subscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            if (InputObject?.BaseObject is string text)
            {
                ResourceId = new[] { text };
            }

            if (ResourceId != null && ResourceId.Any(id => !string.IsNullOrWhiteSpace(id)))
            {
                foreach (var id in ResourceId.Where(id => !string.IsNullOrWhiteSpace(id)))
                {
                    Run(id, (sink, token) => inventory(sink).ListResourceIdAsync(id, token));
                }
            }
            else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
            {
                Run(ResourceGroupName!, (sink, token) => inventory(sink).ListResourceGroupAsync(ResourceGroupName!, subscriptions, token));
            }
            else if (subscriptions.Count > 0)
            {
                foreach (var subscription in subscriptions)
                {
                    Run(subscription, (sink, token) => inventory(sink).ListResourceIdAsync(subscription, token));
                }
            }
            else if (InputObject != null)
            {
                WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                    "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. Pipe resource ids or objects from Az cmdlets.", InputObject));
            }
            else
            {
                Run("/subscriptions", (sink, token) => inventory(sink).ListAllSubscriptionsAsync(token));
            }
        }

        private bool Matches(ConnectorStatus status) =>
            MatchesAny(Name, status.Name) && MatchesAny(ApiName, status.ApiName);

        private static bool MatchesAny(IReadOnlyCollection<string>? patterns, string value) =>
            patterns == null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
    }
}
