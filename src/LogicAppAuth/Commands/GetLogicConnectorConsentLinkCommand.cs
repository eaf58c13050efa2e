using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Commands.Infrastructure;
using LogicAppAuth.Engine.Consent;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands
{
    /// <summary>
    /// Gets an OAuth consent link per connection (listConsentLinks), to open in any browser. Changes nothing in Azure.
    /// The link is written to the output object only, never to verbose, debug or error records.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "LogicConnectorConsentLink", DefaultParameterSetName = ByResourceIdSet)]
    [OutputType(typeof(ConsentLink))]
    public sealed class GetLogicConnectorConsentLinkCommand : LogicAppAuthCmdlet
    {
        internal const string DefaultRedirectUri = "http://localhost/";
        private const string ByResourceIdSet = "ByResourceId";
        private const string ByNameSet = "ByName";

        [Parameter(ParameterSetName = ByResourceIdSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string[]? ResourceId { get; set; }

        /// <summary>Whatever is piped in: a string is a connection id; other objects bind by property name.</summary>
        [Parameter(ParameterSetName = ByResourceIdSet, ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        [Parameter(ParameterSetName = ByNameSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ResourceGroup")]
        [ValidateNotNullOrEmpty]
        public string? ResourceGroupName { get; set; }

        [Parameter(ParameterSetName = ByNameSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Subscription")]
        public string? SubscriptionId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RedirectUri { get; set; } = DefaultRedirectUri;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ObjectId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TenantId { get; set; }

        protected override void ProcessRecord()
        {
            var service = new ConsentService(SessionStore.Current);
            foreach (var connectionId in ConnectionInput.Ids(this, ParameterSetName == ByNameSet, ResourceId, InputObject, ResourceGroupName, Name, SubscriptionId))
            {
                Run(connectionId, async (sink, token) =>
                    sink.WriteObject(await service.GetLinkAsync(connectionId, RedirectUri, ObjectId ?? "", TenantId ?? "", sink, token).ConfigureAwait(false)));
            }
        }
    }

    /// <summary>The connection ids a cmdlet was given: -ResourceId (or piped ids and objects), or -ResourceGroupName with -Name.</summary>
    internal static class ConnectionInput
    {
        public static IReadOnlyList<string> Ids(LogicAppAuthCmdlet cmdlet, bool byName, string[]? resourceIds, PSObject? input, string? resourceGroupName, string? name, string? subscriptionId)
        {
            if (byName)
            {
                var subscription = string.IsNullOrWhiteSpace(subscriptionId) ? SessionStore.Current.DefaultSubscriptionId : subscriptionId!.Trim();
                if (subscription.Length == 0)
                {
                    cmdlet.WriteError(ErrorRecordFactory.InvalidArgument("SubscriptionRequired",
                        "Give -SubscriptionId with -ResourceGroupName and -Name (or set a default with Connect-LogicAppAuth -SubscriptionId).", name));
                    return Array.Empty<string>();
                }

                return new[] { $"/subscriptions/{subscription}/resourceGroups/{resourceGroupName!.Trim()}/providers/Microsoft.Web/connections/{name!.Trim()}" };
            }

            var ids = input?.BaseObject is string text ? new[] { text } : resourceIds ?? Array.Empty<string>();
            var result = ids.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).ToList();
            if (result.Count == 0 && input != null)
            {
                cmdlet.WriteError(ErrorRecordFactory.InvalidArgument("NoConnectionInInput",
                    "The input has no ResourceId; it was skipped. Pipe connections from Get-LogicConnectorStatus or Test-LogicConnectorAuth, or connection resource ids.", input));
            }

            return result;
        }
    }
}
