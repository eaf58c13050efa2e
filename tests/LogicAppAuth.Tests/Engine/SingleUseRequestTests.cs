using Azure.Core;
using Azure.Core.Pipeline;
using LogicAppAuth.Engine.Http;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

/// <summary>A request marked single-use (confirmConsentCode's one-time code) is sent once; others are retried.</summary>
public class SingleUseRequestTests
{
    private sealed class FailingTransport : HttpPipelineTransport
    {
        public int Sent { get; private set; }

        public override Request CreateRequest() => new HttpClientTransport().CreateRequest();

        public override void Process(HttpMessage message)
        {
            Sent++;
            throw new IOException("connection reset");
        }

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            Process(message);
            return default;
        }
    }

    private sealed class Options : ClientOptions
    {
    }

    private static async Task<int> SendAsync(bool singleUse)
    {
        var transport = new FailingTransport();
        var options = new Options { Transport = transport, RetryPolicy = new TransientFailureRetryPolicy(3, DelayStrategy.CreateFixedDelayStrategy(TimeSpan.Zero)) };
        var pipeline = HttpPipelineBuilder.Build(options);
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri("https://127.0.0.1/subscriptions/s/confirmConsentCode"));
        if (singleUse)
        {
            message.SetProperty(TransientFailureRetryPolicy.SingleUse, true);
        }

        await Assert.ThrowsAnyAsync<Exception>(async () => await pipeline.SendAsync(message, CancellationToken.None));
        return transport.Sent;
    }

    [Fact]
    public async Task ASingleUseRequestIsSentOnceWhenItsAnswerIsLost() => Assert.Equal(1, await SendAsync(singleUse: true));

    [Fact]
    public async Task AnOrdinaryRequestIsRetried() => Assert.Equal(4, await SendAsync(singleUse: false));
}
