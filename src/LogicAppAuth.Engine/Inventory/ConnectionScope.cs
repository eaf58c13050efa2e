using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace LogicAppAuth.Engine.Inventory;

public enum ConnectionScopeKind
{
    ResourceId,
    ResourceGroup,
    Subscriptions,
    ManagementGroups,
    All,
}

/// <summary>
/// Where to look for API connections, as the cmdlets take it: one resource id, a resource group, subscriptions,
/// management groups, or every subscription the caller can see.
/// </summary>
public sealed class ConnectionScope
{
    private ConnectionScope(ConnectionScopeKind kind, string description, string resourceId = "", string resourceGroupName = "",
        IReadOnlyList<string>? subscriptionIds = null, IReadOnlyList<string>? managementGroupIds = null)
    {
        Kind = kind;
        Description = description;
        ResourceId = resourceId;
        ResourceGroupName = resourceGroupName;
        SubscriptionIds = subscriptionIds ?? Array.Empty<string>();
        ManagementGroupIds = managementGroupIds ?? Array.Empty<string>();
    }

    public ConnectionScopeKind Kind { get; }

    /// <summary>What the scope names, for errors ("rg-integration", "/subscriptions/...").</summary>
    public string Description { get; }

    public string ResourceId { get; }
    public string ResourceGroupName { get; }

    /// <summary>The subscriptions of a Subscriptions scope, or those a resource group is looked for in (empty: the default ones).</summary>
    public IReadOnlyList<string> SubscriptionIds { get; }

    public IReadOnlyList<string> ManagementGroupIds { get; }

    public static ConnectionScope ForResourceId(string resourceId) =>
        new ConnectionScope(ConnectionScopeKind.ResourceId, resourceId, resourceId: resourceId);

    public static ConnectionScope ForResourceGroup(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds) =>
        new ConnectionScope(ConnectionScopeKind.ResourceGroup, resourceGroupName, resourceGroupName: resourceGroupName, subscriptionIds: subscriptionIds.ToList());

    public static ConnectionScope ForSubscriptions(IReadOnlyCollection<string> subscriptionIds)
    {
        var distinct = subscriptionIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new ConnectionScope(ConnectionScopeKind.Subscriptions, "/subscriptions/" + string.Join(",", distinct), subscriptionIds: distinct);
    }

    public static ConnectionScope ForManagementGroups(IReadOnlyCollection<string> managementGroupIds) =>
        new ConnectionScope(ConnectionScopeKind.ManagementGroups, string.Join(",", managementGroupIds), managementGroupIds: managementGroupIds.ToList());

    /// <summary>Every subscription the caller can see.</summary>
    public static ConnectionScope All() => new ConnectionScope(ConnectionScopeKind.All, "/subscriptions");

    /// <summary>Lists the scope's connections through <paramref name="inventory"/>.</summary>
    public Task ListAsync(ConnectorInventory inventory, CancellationToken cancellationToken)
    {
        switch (Kind)
        {
            case ConnectionScopeKind.ResourceId: return inventory.ListResourceIdAsync(ResourceId, cancellationToken);
            case ConnectionScopeKind.ResourceGroup: return inventory.ListResourceGroupAsync(ResourceGroupName, SubscriptionIds, cancellationToken);
            case ConnectionScopeKind.Subscriptions: return inventory.ListSubscriptionsAsync(SubscriptionIds, cancellationToken);
            case ConnectionScopeKind.ManagementGroups: return inventory.ListManagementGroupsAsync(ManagementGroupIds, cancellationToken);
            default: return inventory.ListAllAsync(cancellationToken);
        }
    }
}
