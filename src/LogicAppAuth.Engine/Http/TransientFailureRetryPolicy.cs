using System;
using System.Security.Authentication;
using Azure.Core;
using Azure.Core.Pipeline;

namespace LogicAppAuth.Engine.Http
{
    /// <summary>
    /// Azure.Core's retry policy (exponential back-off, Retry-After), except that a TLS failure is final:
    /// an untrusted certificate does not become trusted by asking again.
    /// </summary>
    internal sealed class TransientFailureRetryPolicy : RetryPolicy
    {
        public TransientFailureRetryPolicy(int maxRetries, DelayStrategy delayStrategy)
            : base(maxRetries, delayStrategy)
        {
        }

        protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
            !IsTlsFailure(exception) && base.ShouldRetry(message, exception);

        protected override System.Threading.Tasks.ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
            IsTlsFailure(exception) ? new System.Threading.Tasks.ValueTask<bool>(false) : base.ShouldRetryAsync(message, exception);

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
}
