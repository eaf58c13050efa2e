using System.Text.Json;
using LogicAppAuth;
using LogicAppAuth.Engine.Inventory;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class ConnectionDocumentTests
{
    private const string Group = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-integration";

    private static ConnectorStatus Read(string properties, string kind = "V1", string name = "conn") =>
        ConnectionDocument.Read(JsonDocument.Parse($$"""
            { "id": "{{Group}}/providers/Microsoft.Web/connections/{{name}}", "name": "{{name}}", "type": "Microsoft.Web/connections",
              "location": "westeurope", "kind": "{{kind}}", "properties": {{properties}} }
            """).RootElement);

    [Fact]
    public void ReadsAnExpiredOAuthConnection()
    {
        var status = Read($$"""
            { "displayName": "Office 365", "api": { "name": "office365", "id": "/subscriptions/x/providers/Microsoft.Web/locations/westeurope/managedApis/office365" },
              "statuses": [ { "status": "Error", "target": "token", "error": { "code": "Unauthorized", "message": "Failed to refresh access token for service: office365. AADSTS700082: The refresh token has expired due to inactivity." } } ],
              "overallStatus": "Error", "authenticatedUser": { "name": "megan@contoso.com" },
              "nonSecretParameterValues": { "token:TenantId": "{{Contoso.TenantId}}", "token:grantType": "code" },
              "createdTime": "2025-01-10T08:00:00Z", "changedTime": "2025-06-01T09:30:00.1234567Z" }
            """);

        Assert.Equal(ConnectionStatus.Error, status.Status);
        Assert.Equal("Unauthorized", status.ErrorCode);
        Assert.Contains("AADSTS700082", status.ErrorMessage);
        Assert.Equal(AuthenticationType.OAuth, status.AuthenticationType);
        Assert.Equal("megan@contoso.com", status.AuthenticatedUser);
        Assert.Equal(Contoso.TenantId, status.TenantId);
        Assert.Equal("office365", status.ApiName);
        Assert.Equal("rg-integration", status.ResourceGroupName);
        Assert.Equal(Contoso.SubscriptionId, status.SubscriptionId);
        Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 0, 0, TimeSpan.Zero), status.CreatedTime);
        Assert.True(status.Exists);
    }

    [Theory]
    [InlineData("""{ "api": { "name": "azureblob" }, "parameterValueSet": { "name": "managedIdentityAuth", "values": {} } }""", AuthenticationType.ManagedIdentity)]
    [InlineData("""{ "api": { "name": "azureautomation" }, "parameterValueType": "Alternative", "alternativeParameterValues": {} }""", AuthenticationType.ManagedIdentity)]
    [InlineData("""{ "api": { "name": "keyvault" }, "parameterValueSet": { "name": "oauthMI", "values": { "vaultName": { "value": "kv" } } } }""", AuthenticationType.ManagedIdentity)]
    [InlineData("""{ "api": { "name": "keyvault" }, "parameterValueType": "Alternative", "alternativeParameterValues": { "vaultName": "kv" } }""", AuthenticationType.ManagedIdentity)]
    [InlineData("""{ "api": { "name": "keyvault" }, "parameterValueSet": { "name": "oauthDefault", "values": { "vaultName": { "value": "kv" } } } }""", AuthenticationType.OAuth)]
    [InlineData("""{ "api": { "name": "keyvault" }, "nonSecretParameterValues": { "token:clientId": "a", "token:grantType": "client_credentials" } }""", AuthenticationType.ServicePrincipal)]
    [InlineData("""{ "api": { "name": "teams" }, "authenticatedUser": {} }""", AuthenticationType.OAuth)]
    [InlineData("""{ "api": { "name": "azureblob" }, "parameterValueSet": { "name": "keyBasedAuth", "values": {} } }""", AuthenticationType.Key)]
    [InlineData("""{ "api": { "name": "rss" } }""", AuthenticationType.None)]
    [InlineData("""{ "api": { "name": "sql" }, "parameterValues": { "server": "x" } }""", AuthenticationType.Unknown)]
    public void ClassifiesTheAuthenticationType(string properties, AuthenticationType expected) =>
        Assert.Equal(expected, Read(properties).AuthenticationType);

    [Theory]
    [InlineData("""{ "statuses": [ { "status": "Connected" } ] }""", ConnectionStatus.Connected)]
    [InlineData("""{ "statuses": [ { "status": "Ready" } ] }""", ConnectionStatus.Connected)]
    [InlineData("""{ "Statuses": [ { "status": "Connected" }, { "status": "Error", "error": { "code": "Unauthenticated" } } ] }""", ConnectionStatus.Error)]
    [InlineData("""{ "overallStatus": "Error" }""", ConnectionStatus.Error)]
    [InlineData("""{ "overallStatus": "Connected" }""", ConnectionStatus.Connected)]
    [InlineData("""{ }""", ConnectionStatus.Unknown)]
    public void ReadsTheStatus(string properties, ConnectionStatus expected) =>
        Assert.Equal(expected, Read(properties).Status);

    [Theory]
    [InlineData("""{ "statuses": [ { "status": "Error", "error": { "code": "Unauthenticated", "message": "This connection is not authenticated." } } ] }""")]
    [InlineData("""{ "statuses": [ { "status": "Error", "error": { "properties": { "code": "Unauthenticated", "message": "This connection is not authenticated." } } } ] }""")]
    public void ReadsTheStatusErrorFlatAsServedAndNestedAsSpecified(string properties)
    {
        var status = Read(properties);
        Assert.Equal("Unauthenticated", status.ErrorCode);
        Assert.Equal("This connection is not authenticated.", status.ErrorMessage);
    }

    [Fact]
    public void ReadsParametersFromEveryBagTheFirstValueWinning()
    {
        var properties = JsonDocument.Parse("""
            { "nonSecretParameterValues": { "token:TenantId": "t1" }, "parameterValues": { "token:TenantId": "t2", "server": "s" },
              "alternativeParameterValues": { "vaultName": "kv" }, "parameterValueSet": { "name": "oauthMI", "values": { "database": { "value": "db" }, "server": { "value": "other" } } } }
            """).RootElement;
        var all = ConnectionParameters.All(properties);
        Assert.Equal("t1", all["token:TenantId"]);
        Assert.Equal("s", all["server"]);
        Assert.Equal("kv", all["vaultName"]);
        Assert.Equal("db", all["database"]);
        Assert.Equal(all.Count, all.Keys.Count(name => ConnectionParameters.Value(properties, name) == all[name]));
    }

    [Theory]
    [InlineData("""{ "properties": { "enableRbacAuthorization": true } }""", false)]
    [InlineData("""{ "properties": { "enableRbacAuthorization": false } }""", true)]
    [InlineData("""{ "properties": { "accessPolicies": [] } }""", true)]
    [InlineData("""{ "id": "/subscriptions/x/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv" }""", false)]
    public void AVaultUsesAccessPoliciesUnlessItSaysRbac(string vault, bool accessPolicies)
    {
        Assert.Equal(accessPolicies, LogicAppAuth.Engine.Arm.KeyVaultPermissionModel.UsesAccessPolicies(JsonDocument.Parse(vault).RootElement));
        Assert.Equal(accessPolicies, LogicAppAuth.Engine.Arm.KeyVaultPermissionModel.UsesAccessPolicies(System.Text.Json.Nodes.JsonNode.Parse(vault)));
    }

    [Fact]
    public void ReadsResourceGraphRowsWithLowerCasedTypeAndGroup()
    {
        var row = JsonDocument.Parse($$"""
            { "id": "{{Group}}/providers/Microsoft.Web/connections/c1", "name": "c1", "type": "microsoft.web/connections", "resourceGroup": "rg-integration",
              "subscriptionId": "{{Contoso.SubscriptionId}}", "kind": "V2", "location": "westeurope",
              "properties": { "api": { "id": "/subscriptions/x/providers/Microsoft.Web/locations/westeurope/managedApis/sql" }, "statuses": [ { "status": "Connected" } ] } }
            """).RootElement;
        var status = ConnectionDocument.Read(row);
        Assert.Equal("sql", status.ApiName);
        Assert.Equal("V2", status.Kind);
        Assert.Equal("c1", status.Name);
    }
}

/// <summary>The connector's own metadata decides whether the parameter set a connection names is its managed identity.</summary>
public class ConnectorMetadataClassificationTests
{
    private static LogicAppAuth.Engine.Inventory.ConnectionFacts Facts(string properties) =>
        LogicAppAuth.Engine.Inventory.ConnectionFacts.Read(JsonDocument.Parse($$"""
            { "id": "/subscriptions/{{Contoso.SubscriptionId}}/resourceGroups/rg/providers/Microsoft.Web/connections/c", "properties": {{properties}} }
            """).RootElement);

    private static LogicAppAuth.Engine.Connectors.ConnectorShape Shape(string setName, string displayName) =>
        LogicAppAuth.Engine.Connectors.ConnectorShape.Read(System.Text.Json.Nodes.JsonNode.Parse($$"""
            { "properties": { "connectionParameterSets": { "values": [
                { "name": "keyAuth", "uiDefinition": { "displayName": "Access key" }, "parameters": { "accessKey": { "type": "securestring" } } },
                { "name": "{{setName}}", "uiDefinition": { "displayName": "{{displayName}}" }, "parameters": { "accountName": { "type": "string" } } } ] } } }
            """));

    [Fact]
    public void ASetTheNameRulesDoNotKnowIsTheManagedIdentityWhenTheConnectorSaysSo()
    {
        var facts = Facts("""{ "api": { "name": "custom" }, "parameterValueSet": { "name": "msiAuth", "values": { "accountName": { "value": "st" } } } }""");
        Assert.True(facts.NamesASignInSet);
        Assert.NotEqual(AuthenticationType.ManagedIdentity, facts.Status.AuthenticationType);

        facts.ClassifyBy(Shape("msiAuth", "Logic Apps Managed Identity"));

        Assert.Equal(AuthenticationType.ManagedIdentity, facts.Status.AuthenticationType);
    }

    [Fact]
    public void ASetNamedLikeAManagedIdentityIsNotOneWhenTheConnectorsManagedIdentitySetIsAnother()
    {
        var facts = Facts("""{ "api": { "name": "custom" }, "parameterValueSet": { "name": "legacyMI", "values": {} }, "authenticatedUser": { "name": "a@contoso.com" } }""");
        Assert.Equal(AuthenticationType.ManagedIdentity, facts.Status.AuthenticationType);

        facts.ClassifyBy(Shape("managedIdentityAuth", "Logic Apps Managed Identity"));

        Assert.Equal(AuthenticationType.OAuth, facts.Status.AuthenticationType);
    }

    [Fact]
    public void AnAlternativeConnectionIsTheManagedIdentityUnlessTheConnectorsAlternativeIsSomethingElse()
    {
        var facts = Facts("""{ "api": { "name": "keyvault" }, "parameterValueType": "Alternative", "alternativeParameterValues": { "vaultName": "kv" } }""");

        facts.ClassifyBy(Shape("oauthMI", "Logic Apps Managed Identity"));

        Assert.Equal(AuthenticationType.ManagedIdentity, facts.Status.AuthenticationType);
    }

    [Fact]
    public void WithoutMetadataTheNameRulesStand()
    {
        var facts = Facts("""{ "api": { "name": "keyvault" }, "parameterValueSet": { "name": "oauthMI", "values": {} } }""");

        facts.ClassifyBy(null);

        Assert.Equal(AuthenticationType.ManagedIdentity, facts.Status.AuthenticationType);
    }
}
