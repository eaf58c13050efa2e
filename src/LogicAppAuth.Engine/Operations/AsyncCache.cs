using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace LogicAppAuth.Engine.Operations;

/// <summary>
/// Runs each keyed read once and shares its task: the second asker waits for the first request instead of
/// sending its own. Failures are kept too, so a refused read (403) is not asked again for every connection.
/// </summary>
internal sealed class AsyncCache<TValue>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TValue>>> _entries =
        new ConcurrentDictionary<string, Lazy<Task<TValue>>>(StringComparer.OrdinalIgnoreCase);

    public Task<TValue> GetAsync(string key, Func<Task<TValue>> read) =>
        _entries.GetOrAdd(key, _ => new Lazy<Task<TValue>>(() => Task.Run(read), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public int Count => _entries.Count;
}
