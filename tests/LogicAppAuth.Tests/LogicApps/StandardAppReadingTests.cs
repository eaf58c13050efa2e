using System.Text.Json;
using LogicAppAuth.Engine.LogicApps;
using Xunit;

namespace LogicAppAuth.Tests.LogicApps;

/// <summary>Reading a Standard app's connections.json as deployments write it: expressions, built-in connections, connection strings.</summary>
public class StandardAppReadingTests
{
    private const string App = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-app";
    private static readonly JsonElement Site = JsonDocument.Parse($$"""
        { "id": "{{App}}", "name": "la-app", "location": "West Europe", "kind": "functionapp,workflowapp",
          "identity": { "type": "SystemAssigned", "principalId": "9c3f5a71-4d6e-4f80-8b2c-3d4e5f607182" } }
        """).RootElement;

    private static DeploymentValues Values(string? parameters = null) => DeploymentValues.Of(
        new Dictionary<string, string>
        {
            ["WORKFLOWS_SUBSCRIPTION_ID"] = Contoso.SubscriptionId,
            ["WORKFLOWS_RESOURCE_GROUP_NAME"] = "rg-standard",
            ["sb"] = "Endpoint=sb://sb-orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc=",
            ["sas"] = "BlobEndpoint=https://starchive.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&se=2026-10-31T00%3A00%3A00Z&sp=rw&sig=xyz",
            ["empty"] = "",
        },
        parameters == null ? null : JsonDocument.Parse(parameters).RootElement);

    [Theory]
    [InlineData("/subscriptions/@{appsetting('WORKFLOWS_SUBSCRIPTION_ID')}/resourceGroups/@{appsetting('WORKFLOWS_RESOURCE_GROUP_NAME')}/providers/Microsoft.Web/connections/sql",
        "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-standard/providers/Microsoft.Web/connections/sql")]
    [InlineData("@appsetting('WORKFLOWS_RESOURCE_GROUP_NAME')", "rg-standard")]
    [InlineData("no expression", "no expression")]
    [InlineData("@appsetting('MISSING')", null)]
    [InlineData("@appsetting('empty')", null)]
    public void ResolvesAppSettingExpressions(string written, string? expected) => Assert.Equal(expected, Values().Resolve(written));

    [Fact]
    public void TakesAnAuthenticationFromParametersJsonAndResolvesAppSettingsInside()
    {
        var values = Values("""{ "auth": { "type": "Object", "value": { "type": "ManagedServiceIdentity", "identity": "@appsetting('WORKFLOWS_RESOURCE_GROUP_NAME')" } } }""");

        Assert.Equal(("ManagedServiceIdentity", "rg-standard"), values.Authentication(JsonDocument.Parse("\"@parameters('auth')\"").RootElement));
        Assert.Null(values.Authentication(JsonDocument.Parse("\"@parameters('other')\"").RootElement));
        Assert.Equal("auth", DeploymentValues.ParameterOf(JsonDocument.Parse("\"@parameters('auth')\"").RootElement));
    }

    [Fact]
    public void MarksAConnectionIdItCannotResolveAndKeepsItsName()
    {
        var file = JsonDocument.Parse("""
            { "managedApiConnections": { "sql": { "api": { "id": "/x/managedApis/sql" },
              "connection": { "id": "/subscriptions/@{appsetting('WORKFLOWS_SUBSCRIPTION_ID')}/resourceGroups/@{appsetting('RENAMED')}/providers/Microsoft.Web/connections/sql-v2" },
              "authentication": "@parameters('sql-auth')" } } }
            """).RootElement;

        var reference = Assert.Single(ConnectionReferenceReader.ReadConnectionsFile(Site, file, Values()));

        Assert.Equal("", reference.ConnectionId);
        Assert.Equal("sql-v2", reference.ConnectionName);
        Assert.Contains("not set", reference.Unresolved);
        Assert.Equal("sql-auth", reference.AuthenticationParameter);
        Assert.NotEqual("", reference.AuthenticationUnresolved);
    }

    [Fact]
    public void ReadsBuiltInConnectionsWithTheirAuthenticationTargetAndSettings()
    {
        var file = JsonDocument.Parse("""
            { "serviceProviderConnections": {
                "sb": { "serviceProvider": { "id": "/serviceProviders/serviceBus" }, "parameterValues": { "connectionString": "@appsetting('sb')" } },
                "archive": { "serviceProvider": { "id": "/serviceProviders/AzureBlob" }, "parameterValues": { "connectionString": "@appsetting('sas')" } },
                "mi": { "serviceProvider": { "id": "/serviceProviders/eventHub" },
                        "parameterValues": { "fullyQualifiedNamespace": "evh.servicebus.windows.net", "authProvider": { "Type": "ManagedServiceIdentity" } } },
                "gone": { "serviceProvider": { "id": "/serviceProviders/sql" }, "parameterValues": { "connectionString": "@appsetting('MISSING')" } } } }
            """).RootElement;

        var connections = BuiltInConnection.Read(Site, file, Values()).ToDictionary(c => c.EntryName);

        Assert.Equal(App + "/serviceProviderConnections/sb", connections["sb"].ResourceId);
        Assert.Equal("la-app/sb", connections["sb"].Name);
        Assert.Equal("westeurope", connections["sb"].AppLocation);
        Assert.Equal(AuthenticationType.Key, connections["sb"].Authentication);
        Assert.Equal("RootManageSharedAccessKey", connections["sb"].Secret!.KeyName);
        Assert.Equal("servicebus", connections["sb"].ManagedApi);
        Assert.Equal(AuthenticationType.SharedAccessSignature, connections["archive"].Authentication);
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 0, 0, 0, TimeSpan.Zero), connections["archive"].Secret!.SignatureExpiry);
        Assert.Equal(AuthenticationType.ManagedIdentity, connections["mi"].Authentication);
        Assert.Equal("evh.servicebus.windows.net", connections["mi"].Endpoint);
        Assert.Equal(new[] { "MISSING" }, connections["gone"].MissingSettings);
        Assert.Equal(AuthenticationType.Unknown, connections["gone"].Authentication);
    }

    [Theory]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1793491200&skn=rule", 2026, 11, 1)]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&se=2027-05-31T00:00:00Z&sig=z", 2027, 5, 31)]
    public void ReadsTheSignatureEndInBothForms(string text, int year, int month, int day)
    {
        var connection = ConnectionString.Parse(text);

        Assert.Equal(AuthenticationType.SharedAccessSignature, connection.Authentication);
        Assert.Equal(new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero), connection.SignatureExpiry);
    }

    [Theory]
    [InlineData("Server=tcp:sql.database.windows.net;Authentication=Active Directory Service Principal;User Id=app;Password=secret", AuthenticationType.ServicePrincipal)]
    [InlineData("Server=tcp:sql.database.windows.net;Authentication=Active Directory Managed Identity", AuthenticationType.ManagedIdentity)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=st;AccountKey=k==;EndpointSuffix=core.windows.net", AuthenticationType.Key)]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/", AuthenticationType.Unknown)]
    public void TellsHowAConnectionStringSignsIn(string text, AuthenticationType expected) =>
        Assert.Equal(expected, ConnectionString.Parse(text).Authentication);

    [Fact]
    public void FindsWhichWorkflowTriggersAndActionsCallABuiltInConnection()
    {
        var workflow = JsonDocument.Parse("""
            { "definition": {
                "triggers": { "When": { "type": "ServiceProvider", "inputs": { "serviceProviderConfiguration": { "connectionName": "sb-in" } } } },
                "actions": { "Scope": { "type": "Scope", "actions": {
                    "Send": { "type": "ServiceProvider", "inputs": { "serviceProviderConfiguration": { "connectionName": "sb-out" } } } } } } } }
            """).RootElement;

        var calls = ConnectionReferenceReader.ReadServiceProviderCalls(App, "wf", workflow).ToDictionary(c => c.ConnectionName);

        Assert.True(calls["sb-in"].CalledByTrigger);
        Assert.False(calls["sb-in"].CalledByAction);
        Assert.True(calls["sb-out"].CalledByAction);
        Assert.Equal(App + "/serviceProviderConnections/sb-out", calls["sb-out"].ConnectionId);
        Assert.Equal("wf", calls["sb-out"].Name);
    }
}
