using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;

namespace LogicAppAuth.Engine.Http;

/// <summary>
/// Runs once per request, outside the retries: waits for its operation's concurrency gate, then sends it, counts it,
/// and writes one verbose line (method, path without the query, status, time). Headers and bodies are never logged.
/// </summary>
internal sealed class RequestScopePolicy : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ProcessAsync(message, pipeline, true);

    private static async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var scope = RequestScope.Of(message);
        if (scope?.Gate != null)
        {
            await scope.Gate.WaitAsync(message.CancellationToken).ConfigureAwait(false);
        }

        try
        {
            scope?.Count();
            var watch = Stopwatch.StartNew();
            if (async)
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            else
            {
                ProcessNext(message, pipeline);
            }

            scope?.Sink.WriteVerbose($"{message.Request.Method} {message.Request.Uri.ToUri().GetLeftPart(UriPartial.Path)} -> {message.Response.Status} ({watch.ElapsedMilliseconds} ms)");
        }
        finally
        {
            scope?.Gate?.Release();
        }
    }
}
