using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Commands.Infrastructure;

/// <summary>
/// Base of the cmdlets that work on the API connections of a scope: the scope parameters every one of them takes
/// (from the pipeline too), the filters on what is found (-Name, -ApiName), and one reading of them. The most
/// specific input wins: resource ids, else a resource group, else subscriptions, else -ManagementGroupId, else
/// every visible subscription. Subscriptions, however they arrive (the parameter, Get-AzSubscription objects, ids),
/// are gathered and read together at the end, so that one Resource Graph scan serves them all.
/// </summary>
public abstract class ConnectionScopeCmdlet : LogicAppAuthCmdlet
{
    private readonly List<string> _pendingSubscriptions = new List<string>();
    private bool _sawInput;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ResourceGroup")]
    public string? ResourceGroupName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Subscription")]
    public string[]? SubscriptionId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public string[]? ResourceId { get; set; }

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

    /// <summary>
    /// Whatever is piped in. A string is read as a resource id; any other object through the properties bound by
    /// name above. (A string[] ResourceId taking pipeline input by value would also swallow the text form of
    /// every object that has no ResourceId.)
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>
    /// The scopes of the current input record, except subscriptions, which wait for <see cref="FinalScopes"/>.
    /// An object with nothing to go by gets a NoScopeInInput error.
    /// </summary>
    protected IReadOnlyList<ConnectionScope> ReadScopes()
    {
        var subscriptions = (SubscriptionId ?? Array.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
        var ids = InputObject?.BaseObject is string text
            ? new List<string> { text }
            : (ResourceId ?? Array.Empty<string>()).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).ToList();
        var scopes = new List<ConnectionScope>();
        var bad = subscriptions.Select(s => ArmNames.NameProblem(s, "-SubscriptionId")).FirstOrDefault(p => p != null)
            ?? (string.IsNullOrWhiteSpace(ResourceGroupName) ? null : ArmNames.NameProblem(ResourceGroupName!, "-ResourceGroupName"));
        if (bad != null)
        {
            WriteEngineError(bad);
            _sawInput = true;
            return scopes;
        }

        if (ids.Count > 0)
        {
            foreach (var id in ids.Where(AcceptResourceId))
            {
                if (SubscriptionOnly(id) is string subscription)
                {
                    _pendingSubscriptions.Add(subscription);
                }
                else
                {
                    scopes.Add(ConnectionScope.ForResourceId(id));
                }
            }
        }
        else if (!string.IsNullOrWhiteSpace(ResourceGroupName))
        {
            scopes.Add(ConnectionScope.ForResourceGroup(ResourceGroupName!.Trim(), subscriptions));
        }
        else if (subscriptions.Count > 0)
        {
            _pendingSubscriptions.AddRange(subscriptions);
        }
        else if (InputObject != null)
        {
            WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                "The input has no ResourceId, Id, ResourceGroupName or SubscriptionId value; it was skipped. " +
                "Pipe connections (Get-LogicConnectorStatus), resource ids or objects from Az cmdlets.", InputObject));
        }
        else if (BlankScopeParameter() is string blank)
        {
            // An empty variable passed as -ResourceId must not widen the call to every visible subscription.
            WriteError(ErrorRecordFactory.InvalidArgument("NoScopeInInput",
                $"-{blank} was given but is empty, so nothing was read. Give a value, or leave the parameter out " +
                "to read every subscription the signed-in identity can see.", "-" + blank));
        }
        else
        {
            return scopes;
        }

        _sawInput = true;
        return scopes;
    }

    /// <summary>The gathered subscriptions; or, when no input named any scope, -ManagementGroupId or else every visible subscription.</summary>
    protected IReadOnlyList<ConnectionScope> FinalScopes()
    {
        if (_pendingSubscriptions.Count > 0)
        {
            return new[] { ConnectionScope.ForSubscriptions(_pendingSubscriptions) };
        }

        if (_sawInput)
        {
            return Array.Empty<ConnectionScope>();
        }

        return new[] { ManagementGroupId == null ? ConnectionScope.All() : ConnectionScope.ForManagementGroups(ManagementGroupId) };
    }

    /// <summary>Whether a connection found in the scope passes -Name and -ApiName.</summary>
    protected bool MatchesFilters(ConnectorStatus status) =>
        Wildcards.MatchesAny(Name, status.Name) && Wildcards.MatchesAny(ApiName, status.ApiName);

    private string? BlankScopeParameter() =>
        new[] { nameof(ResourceId), nameof(ResourceGroupName), nameof(SubscriptionId) }.FirstOrDefault(MyInvocation.BoundParameters.ContainsKey);

    private static string? SubscriptionOnly(string id)
    {
        var trimmed = id.TrimEnd('/');
        const string prefix = "/subscriptions/";
        if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed.Substring(prefix.Length);
        }

        return Guid.TryParse(trimmed, out var subscription) ? subscription.ToString("D") : null;
    }
}
