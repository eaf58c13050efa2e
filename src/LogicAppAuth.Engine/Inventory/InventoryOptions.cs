using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// What one cmdlet invocation learns while it reads its inputs, so that later inputs do not ask again:
/// whether Resource Graph may be used, which warnings were already given, which subscriptions are visible, the
/// logic apps of each resource group read so far, and where references could not be read.
/// </summary>
public sealed class InventoryOptions
{
    private readonly ConcurrentDictionary<string, bool> _warned = new ConcurrentDictionary<string, bool>();
    private readonly ConcurrentDictionary<string, string> _gaps = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public InventoryOptions(bool useResourceGraph = true)
    {
        UseResourceGraph = useResourceGraph;
    }

    /// <summary>False when the user said -NoResourceGraph, or once Resource Graph refused us.</summary>
    public bool UseResourceGraph { get; internal set; }

    /// <summary>A connection id that ARM answers 404 for becomes a NotFound row (diagnosis) instead of an error (listing).</summary>
    public bool MissingConnectionsAsRows { get; set; }

    internal IReadOnlyList<SubscriptionInfo>? VisibleSubscriptions { get; set; }

    /// <summary>What each connector's metadata says about its sign-in, read once per invocation.</summary>
    internal Connectors.ConnectorCatalog Catalog { get; } = new Connectors.ConnectorCatalog();

    /// <summary>The references of each resource group's logic apps, read once per invocation.</summary>
    internal AsyncCache<ReferenceMap> GroupReferences { get; } = new AsyncCache<ReferenceMap>();

    /// <summary>True the first time a warning key is seen.</summary>
    internal bool FirstTime(string warningKey) => _warned.TryAdd(warningKey, true);

    /// <summary>Records that a kind of logic app ("workflows", "Standard apps") of a resource group could not be read.</summary>
    internal void RecordGap(string resourceGroupId, string kind, string reason) => _gaps.TryAdd(resourceGroupId + "|" + kind, reason);

    /// <summary>Why a kind of logic app of the connection's resource group could not be read, or "".</summary>
    internal string GapFor(string connectionId, string kind)
    {
        var parts = connectionId.Split('/');
        var groupId = parts.Length > 4 ? string.Join("/", parts, 0, 5) : "";
        return _gaps.TryGetValue(groupId + "|" + kind, out var reason) ? reason : "";
    }
}

internal sealed class SubscriptionInfo
{
    public SubscriptionInfo(string subscriptionId, string tenantId, string displayName)
    {
        SubscriptionId = subscriptionId;
        TenantId = tenantId;
        DisplayName = displayName;
    }

    public string SubscriptionId { get; }
    public string TenantId { get; }
    public string DisplayName { get; }
}
