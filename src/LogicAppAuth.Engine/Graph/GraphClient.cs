using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Http;
using LogicAppAuth.Engine.Operations;

namespace LogicAppAuth.Engine.Graph;

/// <summary>
/// Microsoft Graph v1.0 as JSON over the session's Azure.Core pipeline (bearer token for the Graph audience,
/// retry with Retry-After, TLS trust). Paths are relative to <c>{graphUrl}v1.0/</c>; /beta is never used.
/// </summary>
internal sealed class GraphClient
{
    public const int MaxBatchSize = 20;
    private const int MaxItemRetries = 4;
    private readonly HttpPipeline _pipeline;
    private readonly Uri _versionRoot;
    private readonly RequestScope _scope;

    public GraphClient(HttpPipeline pipeline, Uri graphUrl, IOperationSink log)
    {
        _pipeline = pipeline;
        _versionRoot = new Uri(graphUrl.AbsoluteUri.TrimEnd('/') + "/v1.0/");
        _scope = new RequestScope(log);
    }

    /// <summary>HTTP requests sent to Graph so far (a $batch counts once; retried items count again).</summary>
    public int RequestsSent => _scope.Requests;

    /// <summary>GET one path relative to v1.0 (e.g. "users/x?$select=id").</summary>
    public async Task<GraphResponse> GetAsync(string relativePath, CancellationToken cancellationToken)
    {
        var (status, body, _) = await SendAsync(RequestMethod.Get, relativePath.TrimStart('/'), null, cancellationToken).ConfigureAwait(false);
        return GraphResponse.FromBody(status, body);
    }

    /// <summary>
    /// Sends up to 20 GETs as one <c>POST v1.0/$batch</c> and returns the answers in the order asked. Items that
    /// Graph throttles (429) or finds unavailable (503/504) are sent again after their Retry-After.
    /// </summary>
    public async Task<IReadOnlyList<GraphResponse>> BatchAsync(IReadOnlyList<string> relativePaths, CancellationToken cancellationToken)
    {
        if (relativePaths.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A Graph $batch holds at most {MaxBatchSize} requests.", nameof(relativePaths));
        }

        var results = new GraphResponse?[relativePaths.Count];
        var open = Enumerable.Range(0, relativePaths.Count).ToList();
        for (int attempt = 0; open.Count > 0; attempt++)
        {
            var (status, body, _) = await SendAsync(RequestMethod.Post, "$batch", BatchBody(relativePaths, open), cancellationToken).ConfigureAwait(false);
            if (status < 200 || status >= 300 || body == null)
            {
                var failed = GraphResponse.FromBody(status, body);
                foreach (var index in open)
                {
                    results[index] = failed;
                }

                break;
            }

            var retry = new List<int>();
            TimeSpan wait = TimeSpan.Zero;
            if (Json.Path(body.Value, "responses") is JsonElement responses && responses.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in responses.EnumerateArray())
                {
                    if (!int.TryParse(Json.String(item, "id"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0 || index >= results.Length)
                    {
                        continue;
                    }

                    int itemStatus = int.TryParse(Json.String(item, "status"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
                    if ((itemStatus == 429 || itemStatus == 503 || itemStatus == 504) && attempt < MaxItemRetries)
                    {
                        retry.Add(index);
                        var after = RetryAfter(item);
                        wait = after > wait ? after : wait;
                        continue;
                    }

                    results[index] = GraphResponse.FromBody(itemStatus, Json.Path(item, "body"));
                }
            }

            open = retry.Concat(open.Where(i => results[i] == null && !retry.Contains(i))).Distinct().ToList();
            if (open.Count > 0 && attempt >= MaxItemRetries)
            {
                break;
            }

            if (open.Count > 0)
            {
                var delay = wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(Math.Min(30, 1 << attempt));
                _scope.Sink.WriteVerbose($"Graph $batch: {open.Count} item(s) throttled or unanswered; retrying in {delay.TotalSeconds:0.#} s.");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }

        return results.Select(r => r ?? GraphResponse.NotSent("NoAnswer", "Graph $batch gave no answer for this request.")).ToList();
    }

    private static string BatchBody(IReadOnlyList<string> paths, IEnumerable<int> indexes)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("requests");
            foreach (var index in indexes)
            {
                writer.WriteStartObject();
                writer.WriteString("id", index.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("method", "GET");
                writer.WriteString("url", "/" + paths[index].TrimStart('/'));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static TimeSpan RetryAfter(JsonElement item)
    {
        var text = Json.String(item, "headers", "Retry-After");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, 60))
            : TimeSpan.Zero;
    }

    private async Task<(int Status, JsonElement? Body, string Reason)> SendAsync(RequestMethod method, string relativePath, string? jsonBody, CancellationToken cancellationToken)
    {
        var uri = new Uri(_versionRoot, relativePath);
        using var message = _pipeline.CreateMessage();
        _scope.AttachTo(message);
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.Add("Accept", "application/json");
        if (jsonBody != null)
        {
            message.Request.Headers.Add("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(jsonBody));
        }

        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException))
        {
            throw ExceptionTranslator.Translate(e, uri.GetLeftPart(UriPartial.Path));
        }

        var response = message.Response;
        JsonElement? body = null;
        var content = response.Content.ToMemory();
        if (content.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(content);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
            }
        }

        return (response.Status, body, response.ReasonPhrase ?? "");
    }
}
