using System;
using System.Net.Http;
using Azure.Core;
using Azure.Core.Pipeline;

namespace LogicAppAuth.Engine.Http;

/// <summary>
/// The one place HTTP behaviour is configured: TLS trust, retries (with Retry-After), timeouts, the user agent,
/// and per-operation logging, counting and concurrency (<see cref="RequestScopePolicy"/>).
/// Every ARM, Graph and token request of a session goes through the transport built here.
/// </summary>
internal sealed class HttpPipelineFactory
{
    private const int MaxRetries = 6;
    private readonly HttpClientTransport _transport;

    public HttpPipelineFactory(TrustedCertificate? trustedCertificate)
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
        if (trustedCertificate != null)
        {
            handler.ServerCertificateCustomValidationCallback = (request, certificate, _, errors) =>
                trustedCertificate.Validate(request.RequestUri?.Host ?? "", certificate, errors);
        }

        _transport = new HttpClientTransport(new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan });
    }

    public HttpPipelineTransport Transport => _transport;

    public T Configure<T>(T options) where T : ClientOptions
    {
        options.Transport = _transport;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        options.RetryPolicy = new TransientFailureRetryPolicy(MaxRetries,
            DelayStrategy.CreateExponentialDelayStrategy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        options.Diagnostics.ApplicationId = "LogicAppAuth";
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.AddPolicy(new RequestScopePolicy(), HttpPipelinePosition.PerCall);
        return options;
    }

    public HttpPipeline CreateBearerPipeline(TokenCredential credential, string scope) =>
        HttpPipelineBuilder.Build(Configure(new PipelineOptions()), new BearerTokenAuthenticationPolicy(credential, scope));

    /// <summary>A pipeline without credentials, for unauthenticated discovery (an endpoint's metadata).</summary>
    public HttpPipeline CreatePlainPipeline() => HttpPipelineBuilder.Build(Configure(new PipelineOptions()));

    private sealed class PipelineOptions : ClientOptions
    {
    }
}
