using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Expiry
{
    /// <summary>Where to look for the API connections that credentials are linked to: the scopes Get-LogicConnectorStatus takes.</summary>
    public sealed class ConnectionScope
    {
        private readonly Func<ConnectorInventory, CancellationToken, Task> list;

        private ConnectionScope(string description, Func<ConnectorInventory, CancellationToken, Task> list)
        {
            Description = description;
            this.list = list;
        }

        /// <summary>What the scope names, for errors ("rg-integration", "/subscriptions/...").</summary>
        public string Description { get; }

        public static ConnectionScope ResourceGroup(string resourceGroupName, IReadOnlyCollection<string> subscriptionIds) =>
            new ConnectionScope(resourceGroupName, (inventory, token) => inventory.ListResourceGroupAsync(resourceGroupName, subscriptionIds, token));

        public static ConnectionScope Subscriptions(IReadOnlyCollection<string> subscriptionIds) =>
            new ConnectionScope("/subscriptions/" + string.Join(",", subscriptionIds), (inventory, token) => inventory.ListSubscriptionsAsync(subscriptionIds.ToList(), token));

        public static ConnectionScope ResourceId(string resourceId) =>
            new ConnectionScope(resourceId, (inventory, token) => inventory.ListResourceIdAsync(resourceId, token));

        /// <summary>Every subscription the caller can see.</summary>
        public static ConnectionScope All() => new ConnectionScope("/subscriptions", (inventory, token) => inventory.ListAllAsync(token));

        internal Task ListAsync(ConnectorInventory inventory, CancellationToken cancellationToken) => list(inventory, cancellationToken);
    }
}
