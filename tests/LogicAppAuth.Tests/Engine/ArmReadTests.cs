using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Http;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

/// <summary>
/// Reads are parsed as their answer arrives (not buffered first): an answer that breaks off mid-body is asked for again,
/// an error answer still carries the service's code and message, and an empty answer is an empty object.
/// </summary>
public class ArmReadTests
{
    private const string Page = """{"value":[{"id":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/connections/c1"}],"nextLink":""}""";

    /// <summary>Hands out the answers in turn; a null body is an answer that breaks off halfway through <see cref="Page"/>.</summary>
    private sealed class ScriptedHandler(params (HttpStatusCode Status, string? Body)[] answers) : HttpMessageHandler
    {
        public int Sent { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (status, body) = answers[Math.Min(Sent++, answers.Length - 1)];
            HttpContent content = body == null
                ? new StreamContent(new BreakingStream(Encoding.UTF8.GetBytes(Page)[..(Page.Length / 2)]))
                : new StringContent(body, Encoding.UTF8, "application/json");
            if (body != null)
            {
                // As on the wire: the length is a header the server sent, not one computed on demand.
                content.Headers.ContentLength = Encoding.UTF8.GetByteCount(body);
            }

            return Task.FromResult(new HttpResponseMessage(status) { Content = content });
        }
    }

    /// <summary>Yields its bytes, then fails as a reset connection does.</summary>
    private sealed class BreakingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            return read > 0 ? read : throw new IOException("The response ended prematurely.");
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = base.Read(buffer.Span);
            return read > 0 ? new ValueTask<int>(read) : throw new IOException("The response ended prematurely.");
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    private sealed class Options : ClientOptions
    {
    }

    private static ArmRestClient Client(ScriptedHandler handler)
    {
        var options = new Options
        {
            Transport = new HttpClientTransport(new HttpClient(handler)),
            RetryPolicy = new TransientFailureRetryPolicy(0, DelayStrategy.CreateFixedDelayStrategy(TimeSpan.Zero)),
        };
        return new ArmRestClient(HttpPipelineBuilder.Build(options), new Uri("https://127.0.0.1/"), new RequestScope(new CollectingSink()));
    }

    [Fact]
    public async Task AnAnswerThatBreaksOffWhileItsBodyIsReadIsAskedForAgain()
    {
        var handler = new ScriptedHandler((HttpStatusCode.OK, null), (HttpStatusCode.OK, Page));
        var ids = new List<string>();

        await Client(handler).ListAsync("/subscriptions/s/providers/Microsoft.Web/connections", item => ids.Add(Json.String(item, "id")), "s", CancellationToken.None);

        Assert.Equal(2, handler.Sent);
        Assert.Equal(new[] { "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/connections/c1" }, ids);
    }

    [Fact]
    public async Task AnAnswerThatKeepsBreakingOffFailsAfterThreeAttempts()
    {
        var handler = new ScriptedHandler((HttpStatusCode.OK, null));

        await Assert.ThrowsAnyAsync<IOException>(() => Client(handler).GetAsync("/subscriptions/s", "s", CancellationToken.None));
        Assert.Equal(3, handler.Sent);
    }

    [Fact]
    public async Task AnErrorAnswerCarriesTheServicesCodeAndMessage()
    {
        var handler = new ScriptedHandler((HttpStatusCode.NotFound, """{"error":{"code":"ResourceNotFound","message":"The connection c9 was not found."}}"""));

        var error = await Assert.ThrowsAsync<LogicAppAuthException>(() => Client(handler).GetAsync("/subscriptions/s/c9", "/subscriptions/s/c9", CancellationToken.None));

        Assert.Equal(404, error.HttpStatus);
        Assert.Equal("ResourceNotFound", error.ErrorId);
        Assert.Contains("c9 was not found", error.Message);
        Assert.Equal(1, handler.Sent);
    }

    [Fact]
    public async Task AnEmptyAnswerIsAnEmptyObject()
    {
        var handler = new ScriptedHandler((HttpStatusCode.OK, ""));

        using var document = await Client(handler).GetAsync("/subscriptions/s", "s", CancellationToken.None);

        Assert.Equal(System.Text.Json.JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Empty(document.RootElement.EnumerateObject());
    }
}
