using System;
using System.Collections.Generic;
using System.Linq;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Inventory;

/// <summary>
/// What the logic apps read so far say: which of them use which connection (ids compare case-insensitively, as ARM
/// ids do), and the built-in connections Standard apps declare.
/// </summary>
internal sealed class ReferenceMap
{
    private readonly List<BuiltInConnection> _builtIns = new List<BuiltInConnection>();
    private readonly object _gate = new object();
    private readonly Dictionary<string, List<ConnectionReference>> _byConnection = new Dictionary<string, List<ConnectionReference>>(StringComparer.OrdinalIgnoreCase);

    // References whose connection id could not be resolved, by "subscription|connection name".
    private readonly Dictionary<string, List<ConnectionReference>> _byName = new Dictionary<string, List<ConnectionReference>>(StringComparer.OrdinalIgnoreCase);

    public void Add(IEnumerable<ConnectionReference> references)
    {
        lock (_gate)
        {
            foreach (var reference in references)
            {
                var (map, key) = reference.ConnectionId.Length > 0
                    ? (_byConnection, reference.ConnectionId.TrimEnd('/'))
                    : (_byName, reference.SubscriptionId + "|" + reference.ConnectionName);
                if (!map.TryGetValue(key, out var list))
                {
                    list = new List<ConnectionReference>();
                    map[key] = list;
                }

                list.Add(reference);
            }
        }
    }

    public void AddAll(ReferenceMap other)
    {
        List<ConnectionReference> all;
        List<BuiltInConnection> declared;
        lock (other._gate)
        {
            all = other._byConnection.Values.Concat(other._byName.Values).SelectMany(l => l).ToList();
            declared = other._builtIns.ToList();
        }

        Add(all);
        AddBuiltIns(declared);
    }

    public void AddBuiltIns(IEnumerable<BuiltInConnection> connections)
    {
        lock (_gate)
        {
            _builtIns.AddRange(connections);
        }
    }

    /// <summary>The built-in connections the Standard apps read so far declare.</summary>
    public IReadOnlyList<BuiltInConnection> BuiltIns
    {
        get
        {
            lock (_gate)
            {
                return _builtIns.ToList();
            }
        }
    }

    /// <summary>The references to a connection: by its id, and those matched only by name within its subscription.</summary>
    public IReadOnlyList<ConnectionReference> For(string connectionId)
    {
        var key = connectionId.TrimEnd('/');
        var byNameKey = AzureResourceId.SubscriptionOf(key) + "|" + AzureResourceId.LastSegment(key);
        lock (_gate)
        {
            var found = new List<ConnectionReference>();
            if (_byConnection.TryGetValue(key, out var exact))
            {
                found.AddRange(exact);
            }

            if (_byName.TryGetValue(byNameKey, out var named))
            {
                found.AddRange(named);
            }

            return found;
        }
    }

    /// <summary>The connection ids referenced by id.</summary>
    public IReadOnlyList<string> ConnectionIds()
    {
        lock (_gate)
        {
            return _byConnection.Keys.ToList();
        }
    }

    /// <summary>Fills UsedBy/UsedByCount of a row: the distinct logic apps that reference it.</summary>
    public void Annotate(ConnectorStatus status)
    {
        var names = For(status.ResourceId).Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
        if (names.Count > 0)
        {
            status.UsedBy = string.Join(";", names);
            status.UsedByCount = names.Count;
        }
    }

    /// <summary>Referenced connection ids (as written in the logic apps) that are not in <paramref name="seen"/>, with their API ids.</summary>
    public IReadOnlyList<(string Id, string ApiId)> Unseen(ISet<string> seen, Func<string, bool> inScope)
    {
        lock (_gate)
        {
            return _byConnection.Where(e => !seen.Contains(e.Key) && inScope(e.Key))
                .Select(e => (e.Key, e.Value.Select(r => r.ApiId).FirstOrDefault(a => a.Length > 0) ?? "")).ToList();
        }
    }
}
