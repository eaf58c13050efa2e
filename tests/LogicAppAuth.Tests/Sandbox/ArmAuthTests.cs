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

    [Fact]
    public async Task HomeTokenOnForeignSubscriptionIsWrongTenant()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(
            sandbox.Client, $"/subscriptions/{Contoso.FabrikamSubscriptionId}/resourcegroups?api-version=2021-04-01", sandbox.Host.Info.AccessToken);

        Assert.Equal(401, status);
        Assert.Equal("InvalidAuthenticationTokenTenant", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task TamperedSignatureMissingTokenAndWrongAudienceAreInvalidAuthenticationToken()
    {
        var token = sandbox.Host.Info.AccessToken;
        var tampered = token[..^4] + (token.EndsWith("AAAA") ? "BBBB" : "AAAA");
        var graphToken = sandbox.Host.Info.MicrosoftGraphAccessToken;

        foreach (var candidate in new[] { tampered, null, "not-a-jwt", graphToken })
        {
            var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections, candidate);
            Assert.Equal(401, status);
            Assert.Equal("InvalidAuthenticationToken", (string?)body!["error"]!["code"]);
        }

        var (_, audienceBody, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections, graphToken);
        Assert.Contains("wrong audience or resource 'https://graph.microsoft.com'", (string?)audienceBody!["error"]!["message"]);
    }

    [Fact]
    public async Task TokenSignedByAnotherKeyIsRejected()
    {
        using var other = new TokenIssuer();
        var token = other.Issue(sandbox.Host.Scenario.FindPrincipalByName("admin")!, TokenIssuer.ArmAudience, TimeSpan.FromHours(1));

        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Connections, token);

        Assert.Equal(401, status);
        Assert.Equal("InvalidAuthenticationToken", (string?)body!["error"]!["code"]);
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
