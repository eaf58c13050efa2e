using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>One in-process contoso sandbox shared by the tests of a class.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string Sub = "3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d";
    public const string ForeignSub = "c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f";
    public const string ForeignTenant = "9f8e7d6c-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
    public const string Rg = "/subscriptions/" + Sub + "/resourceGroups/rg-integration";

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
