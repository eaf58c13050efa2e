using System;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using LogicAppAuth.Engine.Errors;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Writes that the service finishes later. A PUT or PATCH may answer 201 or 202 with <c>Azure-AsyncOperation</c> (or, on 202,
/// <c>Location</c>); the operation is polled, honouring <c>Retry-After</c>, until it ends, and the resource is read again, so a
/// caller never goes on with the half-written answer (for a site, an identity without its principalId yet).
/// </summary>
internal sealed partial class ArmRestClient
{
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(5);

    private async Task<JsonDocument> WriteAsync(RequestMethod method, string pathOrUrl, string jsonBody, string target, CancellationToken cancellationToken, string? ifMatch)
    {
        string? operation = null;
        var body = await SendAsync(method, pathOrUrl, jsonBody, target, cancellationToken, response => operation = OperationAddress(response), ifMatch).ConfigureAwait(false);
        if (operation == null)
        {
            return body;
        }

        body.Dispose();
        _scope.Sink.WriteVerbose($"{method} {target} was accepted; waiting for the service to finish it.");
        await WaitForOperationAsync(operation, target, cancellationToken).ConfigureAwait(false);
        return await GetAsync(pathOrUrl, target, cancellationToken).ConfigureAwait(false);
    }

    private static string? OperationAddress(Response response)
    {
        if (response.Status != 201 && response.Status != 202)
        {
            return null;
        }

        if (response.Headers.TryGetValue("Azure-AsyncOperation", out var status) && status.Length > 0)
        {
            return status;
        }

        return response.Status == 202 && response.Headers.TryGetValue("Location", out var location) && location.Length > 0 ? location : null;
    }

    /// <summary>Polls until the operation says Succeeded (or, for a Location address, answers 200/204); Failed or Canceled is an error.</summary>
    private async Task WaitForOperationAsync(string operation, string target, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + OperationTimeout;
        while (true)
        {
            var (status, wait) = await SendRawAsync(RequestMethod.Get, operation, null, null, target, cancellationToken, response =>
            {
                var text = response.Status == 202 ? "InProgress" : "Succeeded";
                if (response.Content.ToMemory().Length > 0)
                {
                    using var document = JsonDocument.Parse(response.Content.ToMemory());
                    var reported = Json.String(document.RootElement, "status");
                    text = reported.Length > 0 ? reported : text;
                    if (string.Equals(text, "Failed", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "Canceled", StringComparison.OrdinalIgnoreCase))
                    {
                        text += ": " + Json.String(document.RootElement, "error", "message");
                    }
                }

                return (text, RetryAfter(response));
            }).ConfigureAwait(false);

            if (string.Equals(status, "Succeeded", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (status.StartsWith("Failed", StringComparison.OrdinalIgnoreCase) || status.StartsWith("Canceled", StringComparison.OrdinalIgnoreCase))
            {
                throw new LogicAppAuthException("AsyncOperationFailed", FailureKind.ResourceUnavailable,
                    $"The service accepted the change to {target} but did not complete it ({status.TrimEnd(' ', ':')}).", target);
            }

            if (DateTimeOffset.UtcNow + wait > deadline)
            {
                throw new LogicAppAuthException("AsyncOperationTimedOut", FailureKind.ResourceUnavailable,
                    $"The service accepted the change to {target} but had not completed it after {OperationTimeout.TotalMinutes:0} minutes; read it again later.", target);
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan RetryAfter(Response response)
    {
        if (response.Headers.TryGetValue("Retry-After", out var value)
            && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            var wait = TimeSpan.FromSeconds(seconds);
            return wait > MaxPollInterval ? MaxPollInterval : wait;
        }

        return DefaultPollInterval;
    }
}
