using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class ConnectionRuntimeTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Connections = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/";

    private string Token => sandbox.Host.Info.AccessToken;

    private async Task<JsonObject> Connection(string name)
    {
        var (_, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections + name + "?api-version=2016-06-01", Token);
        return body!.AsObject();
    }

    private async Task<(int Status, JsonNode? Body)> TestLink(string name, string? token = null)
    {
        var link = (await Connection(name))["properties"]!["testLinks"]![0]!;
        Assert.Equal("get", (string?)link["method"]);
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, (string)link["requestUri"]!, token ?? Token);
        return (status, body);
    }

    private async Task<(int Status, JsonNode? Body)> TestRequest(string name, string? token = null)
    {
        var request = (await Connection(name))["properties"]!["testRequests"]![0]!;
        var (status, body, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, (string)request["requestUri"]!, token ?? Token,
            new StringContent(request["body"]!.ToJsonString(), Encoding.UTF8, "application/json"));
        return (status, body);
    }

    [Fact]
    public async Task TestLinksPointAtTheSandbox()
    {
        var connection = await Connection("office365-expired");

        var link = (string)connection["properties"]!["testLinks"]![0]!["requestUri"]!;
        Assert.StartsWith(sandbox.Host.Endpoint.ToString().TrimEnd('/') + Connections + "office365-expired/extensions/proxy/testconnection?api-version=2018-07-01-preview", link);
        Assert.StartsWith(sandbox.Host.Endpoint.ToString().TrimEnd('/'), (string)connection["properties"]!["testRequests"]![0]!["requestUri"]!);
        Assert.Empty((await Connection("azureblob-mi"))["properties"]!["testLinks"]!.AsArray());
    }

    [Fact]
    public async Task HealthyConnectionTestsOk()
    {
        var (status, body) = await TestLink("office365-healthy");
        var (invokeStatus, invoke) = await TestRequest("office365-healthy");

        Assert.Equal(200, status);
        Assert.Empty(body!.AsObject());
        Assert.Equal(200, invokeStatus);
        Assert.Equal("OK", (string?)invoke!["response"]!["statusCode"]);
    }

    [Fact]
    public async Task ExpiredTokenIsUnauthorizedWithTheStatusMessage()
    {
        var (status, body) = await TestLink("office365-expired");
        var (invokeStatus, invoke) = await TestRequest("office365-expired");

        Assert.Equal(401, status);
        Assert.Equal("Unauthorized", (string?)body!["error"]!["code"]);
        Assert.Contains("AADSTS700082", (string?)body["error"]!["message"]);
        Assert.Equal(200, invokeStatus);
        Assert.Equal("Unauthorized", (string?)invoke!["response"]!["statusCode"]);
        Assert.Contains("AADSTS700082", (string?)invoke["response"]!["body"]!["error"]!["message"]);
    }

    [Fact]
    public async Task NeverAuthenticatedIsBadRequestUnauthenticated()
    {
        var (status, body) = await TestLink("teams-unauthenticated");

        Assert.Equal(400, status);
        Assert.Equal("Unauthenticated", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task ConnectedConnectionOfADisabledUserFailsAtRuntime()
    {
        var (status, body) = await TestLink("outlook-disabled-user");
        var (secretStatus, secret) = await TestLink("keyvault-sp-secret-expired");

        Assert.Equal(401, status);
        Assert.Contains("AADSTS50057", (string?)body!["error"]!["message"]);
        Assert.Equal(401, secretStatus);
        Assert.Contains("AADSTS7000222", (string?)secret!["error"]!["message"]);
    }

    [Fact]
    public async Task ReaderMayNotTestConnectionsAndTestingChangesNothing()
    {
        var reader = sandbox.Host.IssueToken("reader");
        var before = (await Connection("office365-expired")).ToJsonString();

        var (status, body) = await TestLink("office365-expired", reader);
        var (invokeStatus, invoke) = await TestRequest("office365-expired", reader);

        Assert.Equal(403, status);
        Assert.Equal("AuthorizationFailed", (string?)body!["error"]!["code"]);
        Assert.Contains("Microsoft.Web/connections/extensions/proxy/action", (string?)body["error"]!["message"]);
        Assert.Equal(403, invokeStatus);
        Assert.Contains("Microsoft.Web/connections/dynamicInvoke/action", (string?)invoke!["error"]!["message"]);
        Assert.Equal(before, (await Connection("office365-expired")).ToJsonString());
    }

    [Fact]
    public async Task ManagedApisDescribeTheirAuthenticationKinds()
    {
        var apis = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Web/locations/westeurope/managedApis/";
        var (_, office, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, apis + "office365?api-version=2016-06-01", sandbox.Host.IssueToken("reader"));
        var (_, blob, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, apis + "azureblob?api-version=2016-06-01", Token);
        var (_, automation, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, apis + "azureautomation?api-version=2016-06-01", Token);
        var (missing, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, apis + "nosuchapi?api-version=2016-06-01", Token);

        Assert.Equal("oauthSetting", (string?)office!["properties"]!["connectionParameters"]!["token"]!["type"]);
        Assert.Null(office["properties"]!["connectionParameterSets"]);
        Assert.Contains(blob!["properties"]!["connectionParameterSets"]!["values"]!.AsArray(), s => (string?)s!["name"] == "managedIdentityAuth");
        Assert.NotNull(automation!["properties"]!["connectionAlternativeParameters"]);
        Assert.Equal(404, missing);
    }
}
