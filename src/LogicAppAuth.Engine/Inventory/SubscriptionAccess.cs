using System;
using System.Collections.Generic;
using System.Linq;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Inventory;

internal static class SubscriptionAccess
{
    /// <summary>
    /// The requested subscriptions the caller can see (as ARM spells them). Each one it cannot see gets a
    /// SubscriptionNotAccessible error of its own, so that the others are still read.
    /// </summary>
    public static List<string> Readable(IEnumerable<string> requested, IReadOnlyCollection<string> visible, IOperationSink sink)
    {
        var readable = new List<string>();
        foreach (var subscriptionId in requested.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var match = visible.FirstOrDefault(v => string.Equals(v, subscriptionId, StringComparison.OrdinalIgnoreCase));
            if (match != null)
            {
                readable.Add(match);
            }
            else
            {
                sink.WriteError(new LogicAppAuthException("SubscriptionNotAccessible", FailureKind.PermissionDenied,
                    $"Subscription '{subscriptionId}' is not among the subscriptions the signed-in identity can read. Ask for Reader on it, " +
                    "or sign in to its tenant with Connect-LogicAppAuth -TenantId.", "/subscriptions/" + subscriptionId));
            }
        }

        return readable;
    }
}
