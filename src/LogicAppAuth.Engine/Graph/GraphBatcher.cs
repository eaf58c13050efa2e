using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Graph
{
    /// <summary>
    /// Deduplicated Graph look-ups sent as $batch requests of 20. A look-up asked for twice is sent once (its answer
    /// is kept for the life of the batcher). Full batches go out at once, with a bound on how many are in flight;
    /// a partial batch waits while any <see cref="Hold"/> is open (more look-ups may still come) and goes out when
    /// the last hold is released, so that a run sends ⌈distinct look-ups / 20⌉ batches.
    /// </summary>
    internal sealed class GraphBatcher
    {
        private readonly string unavailableReason;
        private GraphClient? client;
        private int requestsBefore;
        private readonly SemaphoreSlim inFlight;
        private readonly object gate = new object();
        private readonly Dictionary<string, Task<GraphResponse>> answers = new Dictionary<string, Task<GraphResponse>>(StringComparer.OrdinalIgnoreCase);
        private readonly List<(string Path, TaskCompletionSource<GraphResponse> Answer)> pending = new List<(string, TaskCompletionSource<GraphResponse>)>();
        private readonly List<Task> sends = new List<Task>();
        private CancellationToken cancellationToken;
        private int holds;
        private int lookups;

        public GraphBatcher(int maxBatchesInFlight = 4, string unavailableReason = "NoGraphCredential")
        {
            this.unavailableReason = unavailableReason;
            inFlight = new SemaphoreSlim(Math.Max(1, maxBatchesInFlight));
        }

        public bool Available => client != null;

        /// <summary>Distinct look-ups asked for so far.</summary>
        public int Lookups => Volatile.Read(ref lookups);

        /// <summary>HTTP requests sent to Graph so far, in every call.</summary>
        public int Requests => Volatile.Read(ref requestsBefore) + (client?.RequestsSent ?? 0);

        /// <summary>
        /// Starts one cmdlet call's worth of look-ups, sent through <paramref name="callClient"/> (which logs to that call's
        /// output); null when the session has no Graph credential: every look-up then answers "not sent". Answers of
        /// earlier calls are kept.
        /// </summary>
        public void BeginCall(GraphClient? callClient, CancellationToken token)
        {
            lock (gate)
            {
                requestsBefore += client?.RequestsSent ?? 0;
                client = callClient;
                cancellationToken = token;
            }
        }

        /// <summary>Keeps a partial batch back until the returned handle is disposed (and no other hold is open).</summary>
        public IDisposable Hold()
        {
            lock (gate)
            {
                holds++;
            }

            return new Releaser(this);
        }

        /// <summary>The answer to GET v1.0/<paramref name="relativePath"/>; the same path is sent only once.</summary>
        public Task<GraphResponse> GetAsync(string relativePath)
        {
            if (client == null)
            {
                return Task.FromResult(GraphResponse.NotSent(unavailableReason, "The session has no Microsoft Graph credential."));
            }

            List<(string, TaskCompletionSource<GraphResponse>)>? batch = null;
            Task<GraphResponse> answer;
            lock (gate)
            {
                if (answers.TryGetValue(relativePath, out var known))
                {
                    return known;
                }

                var completion = new TaskCompletionSource<GraphResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
                answers[relativePath] = completion.Task;
                pending.Add((relativePath, completion));
                lookups++;
                answer = completion.Task;
                if (pending.Count >= GraphClient.MaxBatchSize || holds == 0)
                {
                    batch = TakePending(GraphClient.MaxBatchSize);
                }
            }

            if (batch != null)
            {
                Send(batch);
            }

            return answer;
        }

        /// <summary>Waits for every batch sent so far.</summary>
        public Task DrainAsync()
        {
            lock (gate)
            {
                return Task.WhenAll(sends.ToList());
            }
        }

        private void Release()
        {
            var batches = new List<List<(string, TaskCompletionSource<GraphResponse>)>>();
            lock (gate)
            {
                holds--;
                if (holds == 0)
                {
                    while (pending.Count > 0)
                    {
                        batches.Add(TakePending(GraphClient.MaxBatchSize));
                    }
                }
            }

            batches.ForEach(Send);
        }

        private List<(string, TaskCompletionSource<GraphResponse>)> TakePending(int count)
        {
            var taken = pending.Take(count).ToList();
            pending.RemoveRange(0, taken.Count);
            return taken;
        }

        private void Send(List<(string Path, TaskCompletionSource<GraphResponse> Answer)> batch)
        {
            var task = SendAsync(client!, batch);
            lock (gate)
            {
                sends.RemoveAll(t => t.IsCompleted);
                sends.Add(task);
            }
        }

        private async Task SendAsync(GraphClient sender, List<(string Path, TaskCompletionSource<GraphResponse> Answer)> batch)
        {
            try
            {
                await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var answers = await sender.BatchAsync(batch.Select(b => b.Path).ToList(), cancellationToken).ConfigureAwait(false);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        batch[i].Answer.TrySetResult(answers[i]);
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }
            catch (OperationCanceledException e)
            {
                batch.ForEach(b => b.Answer.TrySetCanceled(e.CancellationToken));
            }
            catch (LogicAppAuthException e)
            {
                var failed = GraphResponse.NotSent(e.ErrorId, e.Message);
                batch.ForEach(b => b.Answer.TrySetResult(failed));
            }
            catch (Exception e)
            {
                var failed = GraphResponse.NotSent("GraphRequestFailed", e.Message);
                batch.ForEach(b => b.Answer.TrySetResult(failed));
            }
        }

        private sealed class Releaser : IDisposable
        {
            private GraphBatcher? owner;

            public Releaser(GraphBatcher owner) => this.owner = owner;

            public void Dispose() => Interlocked.Exchange(ref owner, null)?.Release();
        }
    }
}
