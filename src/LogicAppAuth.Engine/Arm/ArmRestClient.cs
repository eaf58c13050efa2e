using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using LogicAppAuth.Engine.Http;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// JSON over the session's Azure.Core pipeline (auth, retry with Retry-After, TLS trust) for the ARM calls
/// that have no typed client here. Relative paths resolve against the session's Resource Manager URL.
/// </summary>
internal sealed partial class ArmRestClient
{
    private const int BodyReadAttempts = 3;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _baseUri;
    private readonly RequestScope _scope;

    public ArmRestClient(HttpPipeline pipeline, Uri baseUri, RequestScope scope)
    {
        _pipeline = pipeline;
        _baseUri = baseUri;
        _scope = scope;
    }

    /// <summary>Requests this client's operation has sent (see <see cref="RequestScope"/>).</summary>
    public int Requests => _scope.Requests;

    public async Task<JsonDocument> GetAsync(string pathOrUrl, string target, CancellationToken cancellationToken) =>
        await ReadAsync(RequestMethod.Get, pathOrUrl, null, target, cancellationToken).ConfigureAwait(false);

    public async Task<JsonDocument> PostAsync(string pathOrUrl, string? jsonBody, string target, CancellationToken cancellationToken) =>
        await SendAsync(RequestMethod.Post, pathOrUrl, jsonBody, target, cancellationToken).ConfigureAwait(false);

    /// <summary>A POST the service must not see twice (a single-use code): sent once, never retried, whatever the answer.</summary>
    public async Task PostOnceAsync(string pathOrUrl, string jsonBody, string target, CancellationToken cancellationToken) =>
        await SendRawAsync(RequestMethod.Post, pathOrUrl, System.Text.Encoding.UTF8.GetBytes(jsonBody), null, target, cancellationToken, _ => true, singleUse: true)
            .ConfigureAwait(false);

    /// <summary>A PUT; with <paramref name="ifMatch"/> (the ETag read), the service refuses it (412) when the resource changed since.
    /// An answer that the service finishes later is waited for, and the resource as it then reads is returned.</summary>
    public Task<JsonDocument> PutAsync(string pathOrUrl, string jsonBody, string target, CancellationToken cancellationToken, string? ifMatch = null) =>
        WriteAsync(RequestMethod.Put, pathOrUrl, jsonBody, target, cancellationToken, ifMatch);

    /// <summary>A PATCH, like <see cref="PutAsync"/>.</summary>
    public Task<JsonDocument> PatchAsync(string pathOrUrl, string jsonBody, string target, CancellationToken cancellationToken, string? ifMatch = null) =>
        WriteAsync(RequestMethod.Patch, pathOrUrl, jsonBody, target, cancellationToken, ifMatch);

    public async Task<JsonDocument> DeleteAsync(string pathOrUrl, string target, CancellationToken cancellationToken) =>
        await SendAsync(RequestMethod.Delete, pathOrUrl, null, target, cancellationToken).ConfigureAwait(false);

    /// <summary>A query by POST whose answer also carries headers the caller acts on (Resource Graph's quota headers); it must change nothing, as it may be sent again.</summary>
    public async Task<(JsonDocument Body, IReadOnlyDictionary<string, string> Headers)> PostWithHeadersAsync(string pathOrUrl, string jsonBody, string target,
        CancellationToken cancellationToken, params string[] headerNames)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = await ReadAsync(RequestMethod.Post, pathOrUrl, jsonBody, target, cancellationToken, response =>
        {
            foreach (var name in headerNames)
            {
                if (response.Headers.TryGetValue(name, out var value))
                {
                    headers[name] = value;
                }
            }
        }).ConfigureAwait(false);
        return (body, headers);
    }

    /// <summary>Reads every page of an ARM list (<c>{ value: [...], nextLink }</c>), handing each item over as its page arrives.</summary>
    public async Task<int> ListAsync(string pathOrUrl, Action<JsonElement> onItem, string target, CancellationToken cancellationToken)
    {
        int count = 0;
        string? next = pathOrUrl;
        while (!string.IsNullOrEmpty(next))
        {
            using var page = await GetAsync(next!, target, cancellationToken).ConfigureAwait(false);
            if (Json.Path(page.RootElement, "value") is JsonElement items && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    onItem(item);
                    count++;
                }
            }

            next = Json.String(page.RootElement, "nextLink");
        }

        return count;
    }

    /// <summary>
    /// A file's text and ETag, for endpoints that serve a file rather than a JSON resource (a Standard app's
    /// connections.json through its host runtime).
    /// </summary>
    public async Task<(string Text, string ETag)> GetFileAsync(string pathOrUrl, string target, CancellationToken cancellationToken)
    {
        return await SendRawAsync(RequestMethod.Get, pathOrUrl, null, null, target, cancellationToken,
            response => (response.ContentStream == null ? "" : response.Content.ToString(), response.Headers.TryGetValue("ETag", out var etag) ? etag : "")).ConfigureAwait(false);
    }

    /// <summary>Replaces a file's text; <paramref name="ifMatch"/> makes the service refuse (412) when the file changed since it was read.</summary>
    public async Task PutFileAsync(string pathOrUrl, string text, string ifMatch, string target, CancellationToken cancellationToken)
    {
        await SendRawAsync(RequestMethod.Put, pathOrUrl, System.Text.Encoding.UTF8.GetBytes(text), ifMatch, target, cancellationToken, _ => true).ConfigureAwait(false);
    }

    private async Task<JsonDocument> SendAsync(RequestMethod method, string pathOrUrl, string? jsonBody, string target, CancellationToken cancellationToken,
        Action<Response>? inspect = null, string? ifMatch = null)
    {
        var body = jsonBody == null ? null : System.Text.Encoding.UTF8.GetBytes(jsonBody);
        return await SendRawAsync(method, pathOrUrl, body, ifMatch, target, cancellationToken, response =>
        {
            inspect?.Invoke(response);
            return response.ContentStream == null || response.Content.ToMemory().Length == 0
                ? JsonDocument.Parse("{}")
                : JsonDocument.Parse(response.Content.ToMemory());
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A read whose answer may run to megabytes (a list or Resource Graph page): parsed as it arrives, into pooled buffers that
    /// return when the document is disposed, rather than first copied whole into a buffer that grows by doubling. The pipeline's
    /// retries end with the answer's headers, so an answer that breaks off while its body is read is asked for again here;
    /// only requests that change nothing come this way.
    /// </summary>
    private async Task<JsonDocument> ReadAsync(RequestMethod method, string pathOrUrl, string? jsonBody, string target, CancellationToken cancellationToken,
        Action<Response>? inspect = null)
    {
        var body = jsonBody == null ? null : System.Text.Encoding.UTF8.GetBytes(jsonBody);
        for (var attempt = 1; ; attempt++)
        {
            using var message = await SendMessageAsync(method, pathOrUrl, body, null, target, cancellationToken, buffered: false).ConfigureAwait(false);
            var response = message.Response;
            inspect?.Invoke(response);
            if (response.ContentStream == null || response.Status == 204 || response.Headers.ContentLength == 0)
            {
                return JsonDocument.Parse("{}");
            }

            try
            {
                return await JsonDocument.ParseAsync(response.ContentStream, default, cancellationToken).ConfigureAwait(false);
            }
            catch (System.IO.IOException e) when (attempt < BodyReadAttempts)
            {
                _scope.Sink.WriteVerbose($"{method} {target}: the answer broke off while it was read ({e.Message}); asking again.");
            }
        }
    }

    /// <summary>Sends one request through the pipeline and reads its buffered answer.</summary>
    private async Task<T> SendRawAsync<T>(RequestMethod method, string pathOrUrl, byte[]? jsonBody, string? ifMatch, string target, CancellationToken cancellationToken,
        Func<Response, T> read, bool singleUse = false)
    {
        using var message = await SendMessageAsync(method, pathOrUrl, jsonBody, ifMatch, target, cancellationToken, singleUse).ConfigureAwait(false);
        return read(message.Response);
    }

    /// <summary>
    /// Sends one request; the caller disposes the message once it has read the answer. An answer of 400 or more becomes
    /// the service's error, read from its whole body even when the answer was not to be buffered.
    /// </summary>
    private async Task<HttpMessage> SendMessageAsync(RequestMethod method, string pathOrUrl, byte[]? jsonBody, string? ifMatch, string target,
        CancellationToken cancellationToken, bool singleUse = false, bool buffered = true)
    {
        var uri = Resolve(pathOrUrl);
        var message = _pipeline.CreateMessage();
        try
        {
            _scope.AttachTo(message);
            if (singleUse)
            {
                message.SetProperty(Http.TransientFailureRetryPolicy.SingleUse, true);
            }

            message.BufferResponse = buffered;
            message.Request.Method = method;
            message.Request.Uri.Reset(uri);
            message.Request.Headers.Add("Accept", "application/json");
            if (jsonBody != null)
            {
                message.Request.Headers.Add("Content-Type", "application/json");
                message.Request.Content = RequestContent.Create(jsonBody);
            }

            if (!string.IsNullOrEmpty(ifMatch))
            {
                message.Request.Headers.Add("If-Match", ifMatch!);
            }

            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status >= 400)
            {
                if (!buffered && response.ContentStream != null)
                {
                    var copy = new System.IO.MemoryStream();
                    await response.ContentStream.CopyToAsync(copy, 81920, cancellationToken).ConfigureAwait(false);
                    copy.Position = 0;
                    response.ContentStream = copy;
                }

                throw ArmErrors.FromResponse(response, target);
            }

            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>Absolute URLs (nextLink) are followed only to the session's own host, so the bearer token never leaves it.</summary>
    private Uri Resolve(string pathOrUrl)
    {
        if (!pathOrUrl.StartsWith("/", StringComparison.Ordinal) && Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute))
        {
            if (absolute.Scheme != Uri.UriSchemeHttps || !string.Equals(absolute.Authority, _baseUri.Authority, StringComparison.OrdinalIgnoreCase))
            {
                throw new LogicAppAuth.Engine.Errors.LogicAppAuthException("UntrustedNextLink", LogicAppAuth.Engine.Errors.FailureKind.SecurityError,
                    $"The service returned a link to another host ({absolute.Authority}); it was not followed.", absolute.GetLeftPart(UriPartial.Path));
            }

            return absolute;
        }

        return new Uri(_baseUri, pathOrUrl.TrimStart('/'));
    }
}
