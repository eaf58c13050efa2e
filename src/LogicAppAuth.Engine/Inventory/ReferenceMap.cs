using System;
using System.Collections.Generic;
using System.Linq;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>Which workflows use which connection. Connection ids compare case-insensitively, as ARM ids do.</summary>
    internal sealed class ReferenceMap
    {
        private readonly object gate = new object();
        private readonly Dictionary<string, (SortedSet<string> Users, string ApiName, string Id)> byConnection =
            new Dictionary<string, (SortedSet<string>, string, string)>(StringComparer.OrdinalIgnoreCase);

        public void Add(ConnectionReference reference)
        {
            lock (gate)
            {
                var key = reference.ConnectionId.TrimEnd('/');
                if (!byConnection.TryGetValue(key, out var entry))
                {
                    entry = (new SortedSet<string>(StringComparer.OrdinalIgnoreCase), reference.ApiName, key);
                    byConnection[key] = entry;
                }

                entry.Users.Add(reference.WorkflowName);
            }
        }

        /// <summary>Fills UsedBy/UsedByCount of a row.</summary>
        public void Annotate(ConnectorStatus status)
        {
            lock (gate)
            {
                if (byConnection.TryGetValue(status.ResourceId, out var entry))
                {
                    status.UsedBy = string.Join(";", entry.Users);
                    status.UsedByCount = entry.Users.Count;
                }
            }
        }

        /// <summary>Referenced connection ids (as written in the workflows) that are not in <paramref name="seen"/>, with their API names.</summary>
        public IReadOnlyList<(string Id, string ApiName)> Unseen(ISet<string> seen, Func<string, bool> inScope)
        {
            lock (gate)
            {
                return byConnection.Values.Where(e => !seen.Contains(e.Id) && inScope(e.Id)).Select(e => (e.Id, e.ApiName)).ToList();
            }
        }
    }
}
