using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>One in-process contoso sandbox shared by the tests of a class, an HTTP client to it, and raw request helpers
/// (the sandbox tests speak HTTP to the fake; the engine tests use <see cref="Engine.ContosoSessionFixture"/>).</summary>
public sealed class SandboxHttpFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions { CertificateDirectory = Path.Combine(Path.GetTempPath(), "laa-sandbox-tests-" + Guid.NewGuid()) });
        Client = Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(HttpClient client, string url, string? token) =>
        SendAsync(client, HttpMethod.Get, url, token);

    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }
}
