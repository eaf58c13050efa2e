using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace LogicAppAuth.Engine.Operations
{
    internal static class Concurrency
    {
        /// <summary>Independent requests in flight at once: enough to hide latency, few enough to stay clear of throttling.</summary>
        public const int DefaultDegree = 32;

        /// <summary>Runs <paramref name="work"/> for every item with at most <paramref name="degree"/> in flight; the first failure is rethrown after all finish.</summary>
        public static async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> work, CancellationToken cancellationToken, int degree = DefaultDegree)
        {
            using var gate = new SemaphoreSlim(degree);
            var tasks = items.Select(async item =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await work(item).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }
}
