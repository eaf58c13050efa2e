using System;
using System.Security.Authentication;
using Azure.Core;
using Azure.Core.Pipeline;

namespace LogicAppAuth.Engine.Http;

/// <summary>
/// Azure.Core's retry policy (exponential back-off, Retry-After), except that a TLS failure is final
/// (an untrusted certificate does not become trusted by asking again) and that a message marked
/// <see cref="SingleUse"/> is never sent twice (a POST the service must not see again, e.g. a one-time code).
/// </summary>
internal sealed class TransientFailureRetryPolicy : RetryPolicy
{
    /// <summary>The message property that marks a request as single-use.</summary>
    public const string SingleUse = "LogicAppAuth.SingleUse";

    public TransientFailureRetryPolicy(int maxRetries, DelayStrategy delayStrategy)
        : base(maxRetries, delayStrategy)
    {
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        !IsTlsFailure(exception) && !IsSingleUse(message) && base.ShouldRetry(message, exception);

    protected override System.Threading.Tasks.ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        IsTlsFailure(exception) || IsSingleUse(message) ? new System.Threading.Tasks.ValueTask<bool>(false) : base.ShouldRetryAsync(message, exception);

    private static bool IsSingleUse(HttpMessage message) => message.TryGetProperty(SingleUse, out var once) && once is true;

    private static bool IsTlsFailure(Exception? exception)
    {
        for (var current = exception; current != null; current = current.InnerException)
        {
            if (current is AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }
}
