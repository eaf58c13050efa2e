using System.Collections.Concurrent;
using System.Collections.Generic;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>
    /// What one cmdlet invocation learns while it reads its inputs, so that later inputs do not ask again:
    /// whether Resource Graph may be used, which warnings were already given, which subscriptions are visible.
    /// </summary>
    public sealed class InventoryOptions
    {
        private readonly ConcurrentDictionary<string, bool> warned = new ConcurrentDictionary<string, bool>();

        public InventoryOptions(bool useResourceGraph = true)
        {
            UseResourceGraph = useResourceGraph;
        }

        /// <summary>False when the user said -NoResourceGraph, or once Resource Graph refused us.</summary>
        public bool UseResourceGraph { get; internal set; }

        internal IReadOnlyList<SubscriptionInfo>? VisibleSubscriptions { get; set; }

        /// <summary>True the first time a warning key is seen.</summary>
        internal bool FirstTime(string warningKey) => warned.TryAdd(warningKey, true);
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
}
