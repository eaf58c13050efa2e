using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Scenarios;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>The contoso scenario holds a realistic example of every cause in DESIGN §1.</summary>
public sealed class ContosoScenarioTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly Scenario Contoso = Scenario.Load("contoso", Now);

    private static IEnumerable<JsonObject> OfType(string type) => Contoso.Resources.Where(r => (string?)r["type"] == type);

    private static JsonObject Connection(string name) =>
        OfType("Microsoft.Web/connections").Single(c => (string?)c["name"] == name);

    private static JsonNode Status(string name) => Connection(name)["properties"]!["statuses"]![0]!;

    private static IEnumerable<string> ReferencedConnectionIds() =>
        OfType("Microsoft.Logic/workflows")
            .SelectMany(w => w["properties"]!["parameters"]!["$connections"]!["value"]!.AsObject().Select(p => (string)p.Value!["connectionId"]!))
            .Concat(Contoso.StandardAppConnections.Values.SelectMany(c => c["managedApiConnections"]!.AsObject().Select(p => (string)p.Value!["connection"]!["id"]!)));

    private static JsonObject? User(string upn) =>
        Contoso.Graph.Users.SingleOrDefault(u => string.Equals((string?)u["userPrincipalName"], upn, StringComparison.OrdinalIgnoreCase));

    private static string AuthenticatedUser(string connection) => (string)Connection(connection)["properties"]!["authenticatedUser"]!["name"]!;

    [Fact]
    public void SubscriptionsAndTenantsAreGuids()
    {
        Assert.Equal(2, Contoso.Tenants.Count);
        Assert.Equal(2, Contoso.Subscriptions.Count(s => s.TenantId == Contoso.HomeTenantId));
        Assert.All(Contoso.Subscriptions, s => Assert.True(Guid.TryParse(s.SubscriptionId, out _)));
        Assert.Contains(Contoso.ResourceGroups, g => g.Name == "rg-empty");
    }

    [Fact]
    public void HealthyConnectionIsConnectedWithAnEnabledUser()
    {
        Assert.Equal("Connected", (string?)Status("office365-healthy")["status"]);
        Assert.Equal("Connected", (string?)Connection("office365-healthy")["properties"]!["overallStatus"]);
        Assert.True((bool)User(AuthenticatedUser("office365-healthy"))!["accountEnabled"]!);
    }

    [Theory]
    [InlineData("office365-expired", "Unauthorized", "AADSTS700082")]
    [InlineData("sharepoint-revoked", "Unauthorized", "AADSTS50173")]
    [InlineData("teams-unauthenticated", "Unauthenticated", "not authenticated")]
    [InlineData("keyvault-sp-secret-expired", "Unauthorized", "AADSTS7000222")]
    [InlineData("office365-disabled-expired", "Unauthorized", "AADSTS700082")]
    public void ErrorConnectionsCarryAzureErrors(string name, string code, string text)
    {
        var status = Status(name);
        Assert.Equal("Error", (string?)status["status"]);
        Assert.Equal(code, (string?)status["error"]!["code"]);
        Assert.Contains(text, (string?)status["error"]!["message"]);
        Assert.Equal("Error", (string?)Connection(name)["properties"]!["overallStatus"]);
    }

    [Fact]
    public void DeletedConnectionIsReferencedButAbsent()
    {
        Assert.Contains(ReferencedConnectionIds(), id => id.EndsWith("/connections/office365-deleted", StringComparison.Ordinal));
        Assert.DoesNotContain(OfType("Microsoft.Web/connections"), c => (string?)c["name"] == "office365-deleted");
        Assert.Contains(ReferencedConnectionIds(), id => id.EndsWith("/connections/servicebus-v2-deleted", StringComparison.Ordinal));
    }

    [Fact]
    public void DisabledAndDeletedUsers()
    {
        Assert.False((bool)User(AuthenticatedUser("outlook-disabled-user"))!["accountEnabled"]!);
        Assert.Null(User(AuthenticatedUser("outlook-deleted-user")));
        Assert.False((bool)User(AuthenticatedUser("office365-disabled-expired"))!["accountEnabled"]!);
    }

    [Fact]
    public void ManagedIdentityConnections()
    {
        static JsonObject Workflow(string connection) => OfType("Microsoft.Logic/workflows").Single(w =>
            w["properties"]!["parameters"]!["$connections"]!["value"]!.AsObject().Any(p => ((string)p.Value!["connectionId"]!).EndsWith("/" + connection, StringComparison.Ordinal)));

        Assert.Equal("managedIdentityAuth", (string?)Connection("azureblob-mi")["properties"]!["parameterValueSet"]!["name"]);
        Assert.Null(Workflow("azureblob-mi")["identity"]);

        var orderQueue = Workflow("servicebus-mi");
        var principalId = (string)orderQueue["identity"]!["principalId"]!;
        Assert.Equal("SystemAssigned", (string?)orderQueue["identity"]!["type"]);
        Assert.Single(OfType("Microsoft.ServiceBus/namespaces"), n => ((string)n["id"]!).Contains("/rg-integration/", StringComparison.Ordinal));
        Assert.DoesNotContain(Contoso.RoleAssignments, a => a.PrincipalId == principalId);
    }

    [Fact]
    public void ServicePrincipalConnectionsPointAtAppsWithExpiredCredentials()
    {
        static JsonObject App(string connection)
        {
            var clientId = (string)Connection(connection)["properties"]!["nonSecretParameterValues"]!["token:clientId"]!;
            return Contoso.Graph.Applications.Single(a => (string?)a["appId"] == clientId);
        }

        var secretApp = App("keyvault-sp-secret-expired");
        Assert.All(secretApp["passwordCredentials"]!.AsArray(), p => Assert.True(DateTimeOffset.Parse((string)p!["endDateTime"]!) < Now));
        Assert.Empty(secretApp["keyCredentials"]!.AsArray());

        var certApp = App("azureblob-sp-cert-expired");
        Assert.Empty(certApp["passwordCredentials"]!.AsArray());
        Assert.All(certApp["keyCredentials"]!.AsArray(), k => Assert.True(DateTimeOffset.Parse((string)k!["endDateTime"]!) < Now));
        Assert.Equal("client_credentials", (string?)Connection("azureblob-sp-cert-expired")["properties"]!["nonSecretParameterValues"]!["token:grantType"]);
    }

    [Fact]
    public void WrongTenantAndGuestConnections()
    {
        var tenant = (string?)Connection("office365-wrong-tenant")["properties"]!["nonSecretParameterValues"]!["token:TenantId"];
        Assert.NotEqual(Contoso.HomeTenantId, tenant);
        Assert.Contains(Contoso.Tenants, t => t.TenantId == tenant);
        Assert.Contains("#EXT#", AuthenticatedUser("office365-guest"));
    }

    [Fact]
    public void UnusedConnectionIsReferencedByNothing()
    {
        Assert.DoesNotContain(ReferencedConnectionIds(), id => id.EndsWith("/office365-unused", StringComparison.Ordinal));
    }

    [Fact]
    public void StandardAppHasOneConnectionWithAndOneWithoutAccessPolicy()
    {
        var site = Assert.Single(OfType("Microsoft.Web/sites"), s => (string?)s["name"] == "la-contoso-std");
        Assert.Equal("functionapp,workflowapp", (string?)site["kind"]);
        var principalId = (string)site["identity"]!["principalId"]!;
        var policies = OfType("Microsoft.Web/connections/accessPolicies").ToList();
        Assert.Contains(policies, p => ((string)p["id"]!).Contains("/connections/office365-v2/", StringComparison.Ordinal)
            && (string?)p["properties"]!["principal"]!["identity"]!["objectId"] == principalId);
        Assert.DoesNotContain(policies, p => ((string)p["id"]!).Contains("/sql-v2-nopolicy/", StringComparison.Ordinal));
        Assert.Equal("V2", (string?)Connection("sql-v2-nopolicy")["kind"]);
    }

    [Fact]
    public void ConnectionsHaveAzureShape()
    {
        foreach (var connection in OfType("Microsoft.Web/connections"))
        {
            var properties = connection["properties"]!;
            Assert.Equal((string?)connection["name"], ((string)connection["id"]!).Split('/')[^1]);
            Assert.NotNull(properties["api"]!["id"]);
            Assert.StartsWith("/subscriptions/", (string?)properties["api"]!["id"]);
            Assert.NotNull(properties["createdTime"]);
            Assert.NotNull(properties["changedTime"]);
            Assert.NotNull(properties["statuses"]);
            Assert.Equal("Enabled", (string?)properties["connectionState"]);
        }
    }
}
