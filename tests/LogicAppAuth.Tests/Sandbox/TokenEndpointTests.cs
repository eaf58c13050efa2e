using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class TokenEndpointTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private ReadyPrincipal Admin => sandbox.Host.Info.Principals["admin"];

    private Task<(int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> PostAsync(string tenant, string clientId, string secret, string scope = "https://management.azure.com/.default") =>
        SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, $"/{tenant}/oauth2/v2.0/token", null, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
            ["grant_type"] = "client_credentials",
            ["client_info"] = "2",
        }));

    [Fact]
    public async Task GoodSecretGetsATokenThatArmAccepts()
    {
        var (status, body, _) = await PostAsync(Admin.TenantId, Admin.ClientId, Admin.ClientSecret);

        Assert.Equal(200, status);
        Assert.Equal("Bearer", (string?)body!["token_type"]);
        Assert.Equal(3599, (int)body["expires_in"]!);
        var (armStatus, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/subscriptions?api-version=2022-12-01", (string?)body["access_token"]);
        Assert.Equal(200, armStatus);
    }

    [Fact]
    public async Task WrongSecretIsInvalidClient()
    {
        var (status, body, _) = await PostAsync(Admin.TenantId, Admin.ClientId, "not-the-secret");

        Assert.Equal(401, status);
        Assert.Equal("invalid_client", (string?)body!["error"]);
        Assert.StartsWith("AADSTS7000215: Invalid client secret provided.", (string?)body["error_description"]);
        Assert.Contains($"app '{Admin.ClientId}'", (string?)body["error_description"]);
        Assert.Equal(7000215, (int)body["error_codes"]![0]!);
    }

    [Fact]
    public async Task UnknownClientOrWrongTenantIsUnauthorizedClient()
    {
        var (unknown, unknownBody, _) = await PostAsync(Admin.TenantId, Guid.NewGuid().ToString(), "x");
        var (wrongTenant, wrongTenantBody, _) = await PostAsync(Contoso.FabrikamTenantId, Admin.ClientId, Admin.ClientSecret);

        Assert.Equal(400, unknown);
        Assert.Equal("unauthorized_client", (string?)unknownBody!["error"]);
        Assert.StartsWith("AADSTS700016:", (string?)unknownBody["error_description"]);
        Assert.Equal(400, wrongTenant);
        Assert.StartsWith("AADSTS700016:", (string?)wrongTenantBody!["error_description"]);
    }

    [Fact]
    public async Task AzureIdentityClientSecretCredentialWorksAgainstTheSandbox()
    {
        var options = new ClientSecretCredentialOptions
        {
            AuthorityHost = sandbox.Host.Endpoint,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(new HttpClient(CertificateFactory.CreateTrustingHandler(sandbox.Host.Certificate))),
        };
        var credential = new ClientSecretCredential(Admin.TenantId, Admin.ClientId, Admin.ClientSecret, options);

        var token = await credential.GetTokenAsync(new TokenRequestContext(["https://graph.microsoft.com/.default"]), default);

        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/MeganB@contoso.onmicrosoft.com", token.Token);
        Assert.Equal(200, status);
        Assert.Equal("Megan Bowen", (string?)body!["displayName"]);
    }

    [Fact]
    public async Task ManagedIdentityEndpointNeedsTheIdentityHeader()
    {
        using var client = new HttpClient();
        var url = sandbox.Host.Info.IdentityEndpoint + "?api-version=2019-08-01&resource=https://management.azure.com/";

        using var missing = await client.GetAsync(url);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-IDENTITY-HEADER", "wrong" } } };
        using var wrongResponse = await client.SendAsync(wrong);
        using var good = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-IDENTITY-HEADER", sandbox.Host.Info.IdentityHeader } } };
        using var goodResponse = await client.SendAsync(good);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await goodResponse.Content.ReadAsStringAsync())!;

        Assert.Equal(401, (int)missing.StatusCode);
        Assert.Equal(401, (int)wrongResponse.StatusCode);
        Assert.Equal(200, (int)goodResponse.StatusCode);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.Equal("https://management.azure.com/", (string?)body["resource"]);
        Assert.True(long.Parse((string)body["expires_on"]!) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var (armStatus, subscriptions, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/subscriptions?api-version=2022-12-01", (string?)body["access_token"]);
        Assert.Equal(200, armStatus);
        Assert.Equal(2, subscriptions!["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task IdentityListenerServesNothingElseAndHttpsDoesNotServeIdentity()
    {
        using var client = new HttpClient();
        var identity = new Uri(sandbox.Host.Info.IdentityEndpoint);
        using var other = await client.GetAsync(new Uri(identity, "/subscriptions?api-version=2022-12-01"));
        var (httpsIdentity, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/msi/token?resource=x", null);

        Assert.Equal(404, (int)other.StatusCode);
        Assert.Equal(404, httpsIdentity);
    }
}
