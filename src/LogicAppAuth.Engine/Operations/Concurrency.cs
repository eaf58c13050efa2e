using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace LogicAppAuth.Engine.Operations;

internal static class Concurrency
{
    /// <summary>Independent requests in flight at once: enough to hide latency, few enough to stay clear of throttling.</summary>
    public const int DefaultDegree = 32;

    /// <summary>Runs <paramref name="work"/> for every item with at most <paramref name="degree"/> in flight; the first failure is rethrown after all finish.</summary>
    public static async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> work, CancellationToken cancellationToken, int degree = DefaultDegree)
    {
        using var pool = new ConcurrentWork(cancellationToken, degree);
        foreach (var item in items)
        {
            pool.Start(() => work(item));
        }

        await pool.WhenAllAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Work started as its items turn up (e.g. while later pages are still being read), with at most a given number in
/// flight; <see cref="WhenAllAsync"/> waits for all of it and rethrows the first failure.
/// </summary>
internal sealed class ConcurrentWork : IDisposable
{
    private readonly SemaphoreSlim _gate;
    private readonly CancellationToken _cancellationToken;
    private readonly List<Task> _started = new List<Task>();

    public ConcurrentWork(CancellationToken cancellationToken, int degree = Concurrency.DefaultDegree)
    {
        _gate = new SemaphoreSlim(degree);
        _cancellationToken = cancellationToken;
    }

    public int Count
    {
        get
        {
            lock (_started)
            {
                return _started.Count;
            }
        }
    }

    public void Start(Func<Task> work)
    {
        var task = RunAsync(work);
        lock (_started)
        {
            _started.Add(task);
        }
    }

    public Task WhenAllAsync()
    {
        lock (_started)
        {
            return Task.WhenAll(_started.ToArray());
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task RunAsync(Func<Task> work)
    {
        await _gate.WaitAsync(_cancellationToken).ConfigureAwait(false);
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
