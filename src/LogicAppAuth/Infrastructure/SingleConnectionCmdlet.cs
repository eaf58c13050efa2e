using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Session;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// Base of the cmdlets that act on named connections: -ResourceId (or piped ids and objects such as
/// Test-LogicConnectorAuth's diagnoses), or -ResourceGroupName with -Name. Derived cmdlets declare
/// <c>DefaultParameterSetName = ByResourceIdSet</c>.
/// </summary>
public abstract class SingleConnectionCmdlet : LogicAppAuthCmdlet
{
    protected const string ByResourceIdSet = "ByResourceId";
    protected const string ByNameSet = "ByName";

    [Parameter(ParameterSetName = ByResourceIdSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public string[]? ResourceId { get; set; }

    /// <summary>Whatever is piped in: a string is a connection id; other objects bind by property name (ResourceId, or ResourceGroupName and Name).</summary>
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

    /// <summary>The connection ids of the current input record; input without one gets an error and yields none.</summary>
    protected IReadOnlyList<string> ConnectionIds()
    {
        if (ParameterSetName == ByNameSet)
        {
            var subscription = string.IsNullOrWhiteSpace(SubscriptionId) ? Session.DefaultSubscriptionId : SubscriptionId!.Trim();
            if (subscription.Length == 0)
            {
                WriteError(ErrorRecordFactory.InvalidArgument("SubscriptionRequired",
                    "Give -SubscriptionId with -ResourceGroupName and -Name (or set a default with Connect-LogicAppAuth -SubscriptionId).", Name));
                return Array.Empty<string>();
            }

            var bad = ArmNames.NameProblem(subscription, "-SubscriptionId") ?? ArmNames.NameProblem(ResourceGroupName!, "-ResourceGroupName") ?? ArmNames.NameProblem(Name!, "-Name");
            if (bad != null)
            {
                WriteEngineError(bad);
                return Array.Empty<string>();
            }

            return new[] { $"/subscriptions/{subscription}/resourceGroups/{ResourceGroupName!.Trim()}/providers/Microsoft.Web/connections/{Name!.Trim()}" };
        }

        var ids = InputObject?.BaseObject is string text ? new[] { text } : ResourceId ?? Array.Empty<string>();
        var result = ids.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).Where(AcceptResourceId).ToList();
        if (result.Count == 0 && InputObject != null)
        {
            WriteError(ErrorRecordFactory.InvalidArgument("NoConnectionInInput",
                "The input has no ResourceId; it was skipped. Pipe connections from Get-LogicConnectorStatus or Test-LogicConnectorAuth, or connection resource ids.", InputObject));
        }
        else if (result.Count == 0 && MyInvocation.BoundParameters.ContainsKey(nameof(ResourceId)))
        {
            WriteError(ErrorRecordFactory.InvalidArgument("NoConnectionInInput",
                "-ResourceId was given but is empty, so nothing was done. Give connection resource ids, or pipe connections from Get-LogicConnectorStatus or Test-LogicConnectorAuth.", "-ResourceId"));
        }

        return result;
    }
}
