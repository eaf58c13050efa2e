using System.Text.Json;
using LogicAppAuth;
using LogicAppAuth.Engine.Expiry;
using LogicAppAuth.Engine.Graph;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Tests.Engine;
using Xunit;

namespace LogicAppAuth.Tests.Expiry;

public class CredentialWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-28T10:00:00Z", -1, true, true)]   // expired yesterday
    [InlineData("2026-11-29T09:00:00Z", 0, true, true)]    // expired earlier today
    [InlineData("2026-11-29T23:59:59Z", 0, false, true)]   // ends later today
    [InlineData("2026-12-29T23:00:00Z", 30, false, true)]  // day 30
    [InlineData("2026-12-30T01:00:00Z", 31, false, false)] // day 31
    public void DaysAreWholeUtcDaysAndTheWindowIncludesDayN(string end, int days, bool expired, bool kept)
    {
        var window = new CredentialWindow(Now);
        var date = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(days, window.DaysRemaining(date));
        Assert.Equal(expired, window.IsExpired(date));
        Assert.Equal(kept, window.Keeps(date, window.IsExpired(date)));
    }

    [Fact]
    public void ExcludeExpiredDropsOnlyTheExpired()
    {
        var window = new CredentialWindow(Now, 30, excludeExpired: true);
        Assert.False(window.Keeps(Now.AddDays(-3), expired: true));
        Assert.True(window.Keeps(Now.AddHours(1), expired: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CredentialWindow(Now, -1));
    }
}

public class ApplicationCredentialsTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void ReadsSecretsAndCertificatesWithTheirGraphIds()
    {
        var app = Parse("""
        { "id": "obj-1", "appId": "app-1", "displayName": "billing",
          "passwordCredentials": [ { "keyId": "k1", "displayName": "ci", "endDateTime": "2026-12-01T00:00:00Z", "startDateTime": "2025-12-01T00:00:00Z", "hint": "abc" },
                                   { "keyId": "k0", "endDateTime": null } ],
          "keyCredentials": [ { "keyId": "k2", "displayName": "CN=billing", "endDateTime": "2027-01-01T00:00:00Z", "type": "AsymmetricX509Cert" } ] }
        """);
        var rows = ApplicationCredentials.Read(app, "Application").ToList();
        Assert.Equal(2, rows.Count);
        var secret = rows.Single(r => r.Kind == CredentialKind.Secret);
        Assert.Equal("k1", secret.CredentialId);
        Assert.Equal("/applications/obj-1", secret.ResourceId);
        Assert.Equal("", secret.SubscriptionId);
        Assert.Equal("billing", secret.Name);
        Assert.Equal("ci", secret.CredentialName);
        Assert.Equal(CredentialKind.Certificate, rows.Single(r => r.CredentialId == "k2").Kind);
    }

    [Fact]
    public void SkipsManagedIdentityServicePrincipals()
    {
        var sp = Parse("""{ "id": "o", "appId": "a", "servicePrincipalType": "ManagedIdentity", "keyCredentials": [ { "keyId": "k", "endDateTime": "2026-12-01T00:00:00Z" } ] }""");
        Assert.Empty(ApplicationCredentials.Read(sp, "ServicePrincipal"));
        var app = Parse("""{ "id": "o", "appId": "a", "servicePrincipalType": "Application", "keyCredentials": [ { "keyId": "k", "endDateTime": "2026-12-01T00:00:00Z" } ] }""");
        Assert.Equal("/servicePrincipals/o", ApplicationCredentials.Read(app, "ServicePrincipal").Single().ResourceId);
    }

    [Fact]
    public void ReadsTheClientIdOfAConnection()
    {
        Assert.Equal("c1", ConnectionParameters.ClientId(Parse("""{ "properties": { "nonSecretParameterValues": { "token:clientId": "c1" } } }""")));
        Assert.Equal("c2", ConnectionParameters.ClientId(Parse("""{ "properties": { "parameterValueSet": { "name": "sp", "values": { "token:clientId": { "value": "c2" } } } } }""")));
        Assert.Equal("", ConnectionParameters.ClientId(Parse("""{ "properties": { } }""")));
    }
}

public class OAuthConsentEstimateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static ConnectorStatus OAuth(string name, DateTimeOffset changed, ConnectionStatus status = ConnectionStatus.Connected, string code = "", string message = "") => new()
    {
        ResourceId = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/connections/" + name,
        SubscriptionId = "s", ResourceGroupName = "g", Name = name, ApiName = "office365",
        AuthenticationType = AuthenticationType.OAuth, Status = status, ErrorCode = code, ErrorMessage = message,
        ChangedTime = changed, UsedBy = "wf", UsedByCount = 1,
    };

    [Fact]
    public void UsesTheLaterOfTheLastSuccessfulRunAndChangedTime()
    {
        var window = new CredentialWindow(Now);
        var byRun = OAuthConsentEstimate.Create(OAuth("a", Now.AddDays(-200)), Now.AddDays(-70), "wf", window)!;
        Assert.Equal("RunHistory", byRun.EstimateBasis);
        Assert.Equal(Now.AddDays(20), byRun.EndDateTime);
        Assert.Equal(20, byRun.DaysRemaining);

        var byChange = OAuthConsentEstimate.Create(OAuth("b", Now.AddDays(-60)), Now.AddDays(-70), "wf", window)!;
        Assert.Equal("ChangedTime", byChange.EstimateBasis);
        Assert.Equal(Now.AddDays(30), byChange.EndDateTime);

        var noRuns = OAuthConsentEstimate.Create(OAuth("c", Now.AddDays(-100)), null, "", window)!;
        Assert.Equal("ChangedTime", noRuns.EstimateBasis);
        Assert.True(noRuns.Expired);
    }

    [Fact]
    public void ADeadTokenIsExpiredWhateverTheEstimate()
    {
        var dead = OAuthConsentEstimate.Create(OAuth("d", Now.AddDays(-5), ConnectionStatus.Error, "Unauthorized",
            "Failed to refresh access token for service: office365. AADSTS700082: The refresh token has expired due to inactivity."), null, "", new CredentialWindow(Now))!;
        Assert.True(dead.Expired);
        Assert.Equal("ConnectionStatus", dead.EstimateBasis);
        Assert.Equal(Now, dead.EndDateTime);
        Assert.Contains("AADSTS700082", dead.Detail);
    }

    [Fact]
    public void NeverConsentedAndNonOAuthConnectionsHaveNoToken()
    {
        var window = new CredentialWindow(Now);
        Assert.Null(OAuthConsentEstimate.Create(OAuth("e", Now, ConnectionStatus.Error, "Unauthenticated"), null, "", window));
        var managed = OAuth("f", Now);
        managed.AuthenticationType = AuthenticationType.ManagedIdentity;
        Assert.Null(OAuthConsentEstimate.Create(managed, null, "", window));
    }
}

public sealed class ScannerTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "contoso", PageSize = 1, GraphThrottleEvery = 3 });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PagesThroughThrottledGraphAndLinksConnections()
    {
        var sink = new CollectingSink();
        var session = LogicAppAuth.Engine.Session.AzureSession.Create(new LogicAppAuth.Engine.Auth.SignInRequest
        {
            Method = LogicAppAuth.Engine.Auth.SignInMethod.AccessToken,
            AccessToken = _host.IssueToken("admin"),
            MicrosoftGraphAccessToken = _host.IssueToken("admin", "https://graph.microsoft.com"),
            ResourceManagerUrl = _host.Endpoint,
            GraphUrl = _host.Endpoint,
            TrustedCertificatePath = _host.Info.CertificatePath,
        });
        var scanner = new ExpiringCredentialScanner(session, sink, new ExpiringCredentialOptions { Kinds = new HashSet<CredentialKind> { CredentialKind.Secret, CredentialKind.Certificate } });
        var rows = await scanner.CollectAsync(new[] { ConnectionScope.ForResourceGroup("rg-integration", new[] { Contoso.SubscriptionId }) }, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.Equal("keyvault-sp-secret-expired", rows.Single(r => r.DisplayName == "app-logic-keyvault-reader").UsedBy);
        Assert.Contains(rows, r => r.DisplayName == "app-reporting-sql");
        Assert.Equal(rows.OrderBy(r => r.EndDateTime).Select(r => r.CredentialId), rows.Select(r => r.CredentialId));
        var graphLog = _host.State.Log.Snapshot().Where(e => e.Path.StartsWith("/v1.0/", StringComparison.Ordinal)).ToList();
        Assert.Contains(graphLog, e => e.Status == 429);
        Assert.True(graphLog.Count(e => e.Path == "/v1.0/applications" && e.Status == 200) >= _host.Scenario.Graph.Applications.Count);
    }

    [Fact]
    public void FollowsNextLinksOnlyOnTheSessionsGraphHost()
    {
        var listing = new GraphListing(null!, new Uri("https://graph.example/"));
        Assert.Equal("applications?$top=1&$skiptoken=X", listing.RelativeNextLink("https://graph.example/v1.0/applications?$top=1&$skiptoken=X", "applications"));
        Assert.Throws<LogicAppAuth.Engine.Errors.LogicAppAuthException>(() => listing.RelativeNextLink("https://evil.example/v1.0/applications?$skiptoken=X", "applications"));
        Assert.Throws<LogicAppAuth.Engine.Errors.LogicAppAuthException>(() => listing.RelativeNextLink("https://graph.example/beta/applications", "applications"));
        Assert.Equal("applications?$select=id,appId&$top=999&$filter=appId%20in%20%28%27a%27%29", GraphListing.FirstPage("applications", new[] { "id", "appId" }, "appId in ('a')"));
    }
}
