using LogicAppAuth.Sandbox.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class GraphTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private string Token => sandbox.Host.Info.MicrosoftGraphAccessToken;

    [Fact]
    public async Task DefaultPropertiesExcludeAccountEnabledAndSelectReturnsIt()
    {
        var (_, plain, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/DiegoS@contoso.onmicrosoft.com", Token);
        var (_, selected, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/DiegoS@contoso.onmicrosoft.com?$select=accountEnabled,userPrincipalName", Token);

        Assert.Null(plain!["accountEnabled"]);
        Assert.Equal("Diego Siciliani", (string?)plain["displayName"]);
        Assert.False((bool)selected!["accountEnabled"]!);
        Assert.Null(selected["displayName"]);
    }

    [Fact]
    public async Task UnknownUserIsRequestResourceNotFound()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/AlexW@contoso.onmicrosoft.com", Token);

        Assert.Equal(404, status);
        Assert.Equal("Request_ResourceNotFound", (string?)body!["error"]!["code"]);
        Assert.Equal("Resource 'AlexW@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.", (string?)body["error"]!["message"]);
        Assert.NotNull(body["error"]!["innerError"]!["request-id"]);
    }

    [Fact]
    public async Task GuestUserIsFoundByEncodedUpn()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/john.doe_fabrikam.com%23EXT%23@contoso.onmicrosoft.com?$select=userType,accountEnabled", Token);

        Assert.Equal(200, status);
        Assert.Equal("Guest", (string?)body!["userType"]);
    }

    [Fact]
    public async Task GraphNeedsGraphAudienceAndAppRoles()
    {
        var (armStatus, armBody, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/MeganB@contoso.onmicrosoft.com", sandbox.Host.Info.AccessToken);
        var (noroleStatus, noroleBody, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/MeganB@contoso.onmicrosoft.com",
            sandbox.Host.IssueToken("norole", TokenIssuer.GraphAudience));
        var (expiredStatus, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/users/MeganB@contoso.onmicrosoft.com",
            sandbox.Host.IssueToken("admin", TokenIssuer.GraphAudience, TimeSpan.FromMinutes(-5)));

        Assert.Equal(401, armStatus);
        Assert.Equal("InvalidAuthenticationToken", (string?)armBody!["error"]!["code"]);
        Assert.Equal(403, noroleStatus);
        Assert.Equal("Authorization_RequestDenied", (string?)noroleBody!["error"]!["code"]);
        Assert.Equal(401, expiredStatus);
    }

    [Fact]
    public async Task ApplicationsCarryCredentialsWithEndDates()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/v1.0/applications?$select=appId,displayName,passwordCredentials,keyCredentials", Token);

        Assert.Equal(200, status);
        var apps = body!["value"]!.AsArray();
        Assert.Contains(apps, a => (string?)a!["displayName"] == "app-logic-keyvault-reader" && a["passwordCredentials"]!.AsArray().Count == 1);
        Assert.Contains(apps, a => (string?)a!["displayName"] == "app-logic-blob-export" && a["keyCredentials"]!.AsArray().Count == 1);
    }
}
