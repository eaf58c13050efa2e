using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Graph;

/// <summary>
/// Deduplicated Graph look-ups sent as $batch requests of 20. A look-up asked for twice is sent once (its answer
/// is kept for the life of the batcher). Full batches go out at once, with a bound on how many are in flight;
/// a partial batch waits while any <see cref="Hold"/> is open (more look-ups may still come) and goes out when
/// the last hold is released, so that a run sends ⌈distinct look-ups / 20⌉ batches.
/// </summary>
internal sealed class GraphBatcher
{
    private readonly string _unavailableReason;
    private GraphClient? _client;
    private int _requestsBefore;
    private readonly SemaphoreSlim _inFlight;
    private readonly object _gate = new object();
    private readonly Dictionary<string, Task<GraphResponse>> _answers = new Dictionary<string, Task<GraphResponse>>(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Path, TaskCompletionSource<GraphResponse> Answer)> _pending = new List<(string, TaskCompletionSource<GraphResponse>)>();
    private readonly List<Task> _sends = new List<Task>();
    private CancellationToken _cancellationToken;
    private int _holds;
    private int _lookups;

    public GraphBatcher(int maxBatchesInFlight = 4, string unavailableReason = "NoGraphCredential")
    {
        _unavailableReason = unavailableReason;
        _inFlight = new SemaphoreSlim(Math.Max(1, maxBatchesInFlight));
    }

    public bool Available => _client != null;

    /// <summary>Distinct look-ups asked for so far.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>HTTP requests sent to Graph so far, in every call.</summary>
    public int Requests => Volatile.Read(ref _requestsBefore) + (_client?.RequestsSent ?? 0);

    /// <summary>
    /// Starts one cmdlet call's worth of look-ups, sent through <paramref name="callClient"/> (which logs to that call's
    /// output); null when the session has no Graph credential: every look-up then answers "not sent". Answers of
    /// earlier calls are kept.
    /// </summary>
    public void BeginCall(GraphClient? callClient, CancellationToken token)
    {
        lock (_gate)
        {
            _requestsBefore += _client?.RequestsSent ?? 0;
            _client = callClient;
            _cancellationToken = token;
        }
    }

    /// <summary>Keeps a partial batch back until the returned handle is disposed (and no other hold is open).</summary>
    public IDisposable Hold()
    {
        lock (_gate)
        {
            _holds++;
        }

        return new Releaser(this);
    }

    /// <summary>The answer to GET v1.0/<paramref name="relativePath"/>; the same path is sent only once.</summary>
    public Task<GraphResponse> GetAsync(string relativePath)
    {
        if (_client == null)
        {
            return Task.FromResult(GraphResponse.NotSent(_unavailableReason, "The session has no Microsoft Graph credential."));
        }

        List<(string, TaskCompletionSource<GraphResponse>)>? batch = null;
        Task<GraphResponse> answer;
        lock (_gate)
        {
            if (_answers.TryGetValue(relativePath, out var known))
            {
                return known;
            }

            var completion = new TaskCompletionSource<GraphResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answers[relativePath] = completion.Task;
            _pending.Add((relativePath, completion));
            _lookups++;
            answer = completion.Task;
            if (_pending.Count >= GraphClient.MaxBatchSize || _holds == 0)
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
        lock (_gate)
        {
            return Task.WhenAll(_sends.ToList());
        }
    }

    private void Release()
    {
        var batches = new List<List<(string, TaskCompletionSource<GraphResponse>)>>();
        lock (_gate)
        {
            _holds--;
            if (_holds == 0)
            {
                while (_pending.Count > 0)
                {
                    batches.Add(TakePending(GraphClient.MaxBatchSize));
                }
            }
        }

        batches.ForEach(Send);
    }

    private List<(string, TaskCompletionSource<GraphResponse>)> TakePending(int count)
    {
        var taken = _pending.Take(count).ToList();
        _pending.RemoveRange(0, taken.Count);
        return taken;
    }

    private void Send(List<(string Path, TaskCompletionSource<GraphResponse> Answer)> batch)
    {
        var task = SendAsync(_client!, batch);
        lock (_gate)
        {
            _sends.RemoveAll(t => t.IsCompleted);
            _sends.Add(task);
        }
    }

    private async Task SendAsync(GraphClient sender, List<(string Path, TaskCompletionSource<GraphResponse> Answer)> batch)
    {
        try
        {
            await _inFlight.WaitAsync(_cancellationToken).ConfigureAwait(false);
            try
            {
                var answers = await sender.BatchAsync(batch.Select(b => b.Path).ToList(), _cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(answers[i]);
                }
            }
            finally
            {
                _inFlight.Release();
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
        private GraphBatcher? _owner;

        public Releaser(GraphBatcher owner) => _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }
}
