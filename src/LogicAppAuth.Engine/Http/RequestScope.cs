using System.Threading;
using Azure.Core;
using Azure.Core.Pipeline;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Http;

/// <summary>
/// What the pipeline's own policies need to know about the operation a request belongs to: where to log it, what
/// to count it in, and how many of its requests may be in flight at once. Clients attach it to every message.
/// </summary>
internal sealed class RequestScope
{
    private const string PropertyName = "LogicAppAuth.RequestScope";
    private int _requests;

    public RequestScope(IOperationSink sink, int maxConcurrency = 0)
    {
        Sink = sink;
        Gate = maxConcurrency > 0 ? new SemaphoreSlim(maxConcurrency) : null;
    }

    public IOperationSink Sink { get; }

    /// <summary>Bounds the requests of this operation in flight at once; null: no bound beyond the caller's own.</summary>
    public SemaphoreSlim? Gate { get; }

    /// <summary>Requests sent so far (once per request however often the pipeline retried it).</summary>
    public int Requests => Volatile.Read(ref _requests);

    internal void Count() => Interlocked.Increment(ref _requests);

    public void AttachTo(HttpMessage message) => message.SetProperty(PropertyName, this);

    public static RequestScope? Of(HttpMessage message) => message.TryGetProperty(PropertyName, out var value) ? value as RequestScope : null;
}
