using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Remediation;
using Xunit;

namespace LogicAppAuth.Tests.Remediation;

public sealed class AppConnectionsFileTests
{
    private const string Connection = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/sql-1";
    private const string Identity = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app";

    private const string Text = """
        {
          "managedApiConnections": {
            "sql": {
              "api": { "id": "/subscriptions/s/providers/Microsoft.Web/locations/westeurope/managedApis/sql" },
              "connection": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/SQL-1/" },
              "connectionRuntimeUrl": "https://example.invalid/apim/sql/1/",
              "authentication": { "type": "Raw", "scheme": "Key", "parameter": "@appsetting('sql-connectionKey')" },
              "x-custom": 12.50
            },
            "sqlReports": {
              "connection": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/sql-1" },
              "authentication": { "type": "ManagedServiceIdentity" }
            },
            "blob": {
              "connection": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/blob-1" },
              "authentication": { "type": "Raw", "scheme": "Key", "parameter": "@appsetting('blob-connectionKey')" }
            }
          },
          "serviceProviderConnections": { "sb": { "parameterValues": { "connectionString": "@appsetting('sb')" } } }
        }
        """;

    private const string Site = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app";

    private static AppConnectionsFile Parse(string text) => new(Site, text, "\"etag\"");

    [Fact]
    public void EntriesAreMatchedByConnectionIdIgnoringCaseAndTrailingSlash()
    {
        var file = Parse(Text);
        Assert.Equal(new[] { "sql", "sqlReports" }, file.EntriesFor(Connection));
        Assert.Equal(new[] { "sql" }, file.EntriesToSwitch(Connection, ""));
        Assert.Equal(new[] { "sql", "sqlReports" }, file.EntriesToSwitch(Connection, Identity));
        Assert.Equal("Raw", file.AuthenticationOf("sql"));
        Assert.Empty(file.EntriesFor(Connection + "-other"));
    }

    [Fact]
    public void TheSwitchChangesOnlyTheAuthenticationOfTheConnectionsEntries()
    {
        var file = Parse(Text);
        var after = JsonNode.Parse(file.WithManagedIdentity(Connection, Identity))!.AsObject();
        var before = JsonNode.Parse(Text)!.AsObject();
        foreach (var name in new[] { "sql", "sqlReports" })
        {
            var authentication = after["managedApiConnections"]![name]!["authentication"]!.AsObject();
            Assert.Equal("ManagedServiceIdentity", (string?)authentication["type"]);
            Assert.Equal(Identity, (string?)authentication["identity"]);
            Assert.Equal(2, authentication.Count);
            after["managedApiConnections"]![name]!.AsObject().Remove("authentication");
            before["managedApiConnections"]![name]!.AsObject().Remove("authentication");
        }

        Assert.True(JsonNode.DeepEquals(before, after));
        Assert.Contains("12.50", file.WithManagedIdentity(Connection, ""), StringComparison.Ordinal);
        Assert.Equal(new[] { "sql", "sqlReports", "blob" }, after["managedApiConnections"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void AnExpressionIsNotRewrittenAndAnyManagedIdentityCountsUnlessOneIsNamed()
    {
        var file = Parse("""
            { "managedApiConnections": {
                "a": { "connection": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/sql-1" }, "authentication": "@parameters('sqlAuth')" },
                "b": { "connection": { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/sql-1" }, "authentication": { "type": "ManagedServiceIdentity", "identity": "/x/id-other" } } } }
            """);
        Assert.Equal(new[] { "a" }, file.ExpressionEntriesFor(Connection));
        Assert.Empty(file.EntriesToSwitch(Connection, ""));
        Assert.Equal(new[] { "b" }, file.EntriesToSwitch(Connection, Identity));
        Assert.Contains("@parameters('sqlAuth')", file.WithManagedIdentity(Connection, Identity), StringComparison.Ordinal);
    }

    [Fact]
    public void AByteOrderMarkIsReadPastAndKeptInTheText()
    {
        var file = Parse("\uFEFF" + Text);
        Assert.Equal(new[] { "sql", "sqlReports" }, file.EntriesFor(Connection));
        Assert.StartsWith("\uFEFF", file.Text, StringComparison.Ordinal);
        Assert.Equal(Site, AppConnectionsFile.SiteIdOf(AppConnectionsFile.AddressOf(Site)));
    }

    [Fact]
    public void TheFingerprintFollowsTheExactText()
    {
        Assert.Equal(AppConnectionsFile.Fingerprint(Text), Parse(Text).CurrentFingerprint);
        Assert.NotEqual(AppConnectionsFile.Fingerprint(Text), AppConnectionsFile.Fingerprint(Text + "\n"));
        Assert.StartsWith("sha256:", AppConnectionsFile.Fingerprint(""), StringComparison.Ordinal);
    }
}
