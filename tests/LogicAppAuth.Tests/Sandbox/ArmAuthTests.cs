using LogicAppAuth.Sandbox.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class ArmAuthTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Connections = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections?api-version=2016-06-01";

    [Fact]
    public async Task ExpiredTokenIsExpiredAuthenticationToken()
    {
        var token = sandbox.Host.IssueToken("admin", lifetime: TimeSpan.FromMinutes(-10));

        var (status, body, response) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections, token);

        Assert.Equal(401, status);
        Assert.Equal("ExpiredAuthenticationToken", (string?)body!["error"]!["code"]);
        Assert.Matches(@"^The access token expiry UTC time '.+' is earlier than current UTC time '.+'\.$", (string?)body["error"]!["message"]);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task TokenFromAnotherTenantIsInvalidAuthenticationTokenTenant()
    {
        var token = sandbox.Host.IssueToken("fabrikam-admin");

        var (status, body, response) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections, token);

        Assert.Equal(401, status);
        Assert.Equal("InvalidAuthenticationTokenTenant", (string?)body!["error"]!["code"]);
        Assert.StartsWith(
            $"The access token is from the wrong issuer 'https://sts.windows.net/{Contoso.FabrikamTenantId}/'. It must match the tenant 'https://sts.windows.net/{sandbox.Host.Info.TenantId}/' associated with this subscription.",
            (string?)body["error"]!["message"]);
        Assert.Contains($"authorization_uri=\"{sandbox.Host.Info.AuthorityHost}/{sandbox.Host.Info.TenantId}\"", response.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>Every other refused token is a 401 with the code ARM gives it (the module maps these codes to its errors).</summary>
    [Theory]
    [InlineData("home token on a foreign subscription", "InvalidAuthenticationTokenTenant", null)]
    [InlineData("tampered signature", "InvalidAuthenticationToken", null)]
    [InlineData("no token", "InvalidAuthenticationToken", null)]
    [InlineData("not a JWT", "InvalidAuthenticationToken", null)]
    [InlineData("Graph audience", "InvalidAuthenticationToken", "wrong audience or resource 'https://graph.microsoft.com'")]
    [InlineData("signed by another key", "InvalidAuthenticationToken", null)]
    public async Task RefusedTokenIs401WithArmsCode(string token, string code, string? message)
    {
        var home = sandbox.Host.Info.AccessToken;
        using var otherIssuer = new TokenIssuer();
        var (url, bearer) = token switch
        {
            "home token on a foreign subscription" => ($"/subscriptions/{Contoso.FabrikamSubscriptionId}/resourcegroups?api-version=2021-04-01", home),
            "tampered signature" => (Connections, home[..^4] + (home.EndsWith("AAAA") ? "BBBB" : "AAAA")),
            "no token" => (Connections, null),
            "not a JWT" => (Connections, "not-a-jwt"),
            "Graph audience" => (Connections, sandbox.Host.Info.MicrosoftGraphAccessToken),
            "signed by another key" => (Connections, otherIssuer.Issue(sandbox.Host.Scenario.FindPrincipalByName("admin")!, TokenIssuer.ArmAudience, TimeSpan.FromHours(1))),
            _ => throw new ArgumentOutOfRangeException(nameof(token)),
        };

        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, url, bearer);

        Assert.Equal(401, status);
        Assert.Equal(code, (string?)body!["error"]!["code"]);
        if (message is not null)
        {
            Assert.Contains(message, (string?)body["error"]!["message"]);
        }
    }

    [Fact]
    public async Task PrincipalWithoutRoleGetsAuthorizationFailed()
    {
        var norole = sandbox.Host.Info.Principals["norole"];
        var token = sandbox.Host.IssueToken("norole");
        var path = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/office365-healthy";

        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, path + "?api-version=2016-06-01", token);

        Assert.Equal(403, status);
        Assert.Equal("AuthorizationFailed", (string?)body!["error"]!["code"]);
        Assert.Equal(
            $"The client '{norole.ClientId}' with object id '{norole.ObjectId}' does not have authorization to perform action 'Microsoft.Web/connections/read' " +
            $"over scope '{path}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task ReaderCanReadButNotInvokeActions()
    {
        var token = sandbox.Host.IssueToken("reader");
        var site = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std";

        var (readStatus, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, site + "?api-version=2023-12-01", token);
        var (actionStatus, actionBody, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, site + "/listWorkflowsConnections?api-version=2025-03-01", token);

        Assert.Equal(200, readStatus);
        Assert.Equal(403, actionStatus);
        Assert.Contains("'Microsoft.Web/sites/listWorkflowsConnections/action'", (string?)actionBody!["error"]!["message"]);
    }

    [Fact]
    public async Task SubscriptionListShowsOnlySubscriptionsWithARole()
    {
        async Task<int> CountAsync(string principal)
        {
            var (_, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/subscriptions?api-version=2022-12-01", sandbox.Host.IssueToken(principal));
            Assert.Equal(body!["value"]!.AsArray().Count, (int)body["count"]!["value"]!);
            return body["value"]!.AsArray().Count;
        }

        Assert.Equal(2, await CountAsync("admin"));
        Assert.Equal(1, await CountAsync("reader"));
        Assert.Equal(0, await CountAsync("norole"));
        Assert.Equal(1, await CountAsync("fabrikam-admin"));
    }

    [Fact]
    public async Task ApiVersionIsRequired()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Contoso.IntegrationGroup, sandbox.Host.Info.AccessToken);

        Assert.Equal(400, status);
        Assert.Equal("MissingApiVersionParameter", (string?)body!["error"]!["code"]);
    }
}
