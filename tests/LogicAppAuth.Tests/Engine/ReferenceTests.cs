using System.Text.Json;
using LogicAppAuth;
using LogicAppAuth.Engine.Inventory;
using LogicAppAuth.Engine.LogicApps;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class ReferenceTests
{
    private const string Group = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-integration";

    [Fact]
    public void ReadsConsumptionConnectionsParameter()
    {
        var workflow = JsonDocument.Parse($$"""
            { "name": "wf-a", "properties": { "parameters": { "$connections": { "value": {
                "office365": { "connectionId": "{{Group}}/providers/Microsoft.Web/connections/office365-a", "connectionName": "office365-a",
                               "id": "/subscriptions/x/providers/Microsoft.Web/locations/westeurope/managedApis/office365" },
                "blob": { "connectionId": "{{Group}}/providers/Microsoft.Web/connections/blob-a", "id": ".../managedApis/azureblob",
                          "connectionProperties": { "authentication": { "type": "ManagedServiceIdentity" } } } } } } } }
            """).RootElement;

        var references = ConnectionReferenceReader.ReadWorkflow(workflow).ToList();

        Assert.Equal(2, references.Count);
        Assert.All(references, r => Assert.Equal("wf-a", r.Name));
        Assert.Equal("ManagedServiceIdentity", references[1].AuthenticationType);
        Assert.Equal("office365", references[0].ApiName);
        Assert.Equal("azureblob", references[1].ApiName);
    }

    [Fact]
    public void UsageComesFromTriggersAndNestedActionsThatNameTheReference()
    {
        var definition = JsonDocument.Parse("""
        {"triggers":{"When_a_message":{"inputs":{"host":{"connection":{"name":"@parameters('$connections')['sb']['connectionId']"}},"path":"/queues/q/messages/head"}}},
         "actions":{"Scope":{"type":"Scope","actions":{"Send":{"inputs":{"host":{"connection":{"name":"@parameters('$connections')['sb']['connectionId']"}},"method":"post","path":"/queues/q/messages"}}}},
                    "Check":{"type":"If","else":{"actions":{"Peek":{"inputs":{"host":{"connection":{"name":"@parameters('$connections')['queue']['connectionId']"}},"path":"/queues/q/messages/peek"}}}}},
                    "Other":{"inputs":{"host":{"connection":{"name":"@parameters('$connections')['blob']['connectionId']"}}}}}}
        """).RootElement;

        Assert.Equal(ConnectionUsage.Send | ConnectionUsage.Receive, ConnectionReferenceReader.UsageOf(definition, "sb"));
        Assert.Equal(ConnectionUsage.Receive, ConnectionReferenceReader.UsageOf(definition, "queue"));
        Assert.Equal(ConnectionUsage.Send, ConnectionReferenceReader.UsageOf(definition, "blob"));
        Assert.Equal(ConnectionUsage.None, ConnectionReferenceReader.UsageOf(definition, "nothing"));
    }

    [Fact]
    public void IgnoresWorkflowsWithoutConnections() =>
        Assert.Empty(ConnectionReferenceReader.ReadWorkflow(JsonDocument.Parse("""{ "name": "wf", "properties": { "definition": {} } }""").RootElement));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsStandardConnectionsJsonAsObjectOrString(bool asString)
    {
        var file = $$"""{ "managedApiConnections": { "sql": { "api": { "id": ".../managedApis/sql" }, "connection": { "id": "{{Group}}/providers/Microsoft.Web/connections/sql-v2" } } } }""";
        var content = asString ? JsonSerializer.Serialize(file) : file;
        var response = JsonDocument.Parse($$"""{ "properties": { "files": { "connections.json": {{content}} } } }""").RootElement;

        var site = JsonDocument.Parse("""{ "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/la-std", "name": "la-std", "kind": "functionapp,workflowapp" }""").RootElement;
        var reference = Assert.Single(ConnectionReferenceReader.ReadStandardApp(site, response));

        Assert.Equal("la-std", reference.Name);
        Assert.True(reference.IsStandardApp);
        Assert.Equal("sql", reference.ApiName);
        Assert.EndsWith("/sql-v2", reference.ConnectionId);
    }

    [Fact]
    public void MapsUsersCaseInsensitivelyAndFindsMissingConnections()
    {
        var map = new ReferenceMap();
        map.Add(new[]
        {
            new ConnectionReference { Name = "wf-b", ConnectionId = $"{Group}/providers/Microsoft.Web/connections/C1", ApiId = ".../managedApis/office365" },
            new ConnectionReference { Name = "wf-a", ConnectionId = $"{Group.ToUpperInvariant()}/providers/microsoft.web/connections/c1", ApiId = ".../managedApis/office365" },
            new ConnectionReference { Name = "wf-a", ConnectionId = $"{Group}/providers/Microsoft.Web/connections/gone", ApiId = ".../managedApis/teams" },
        });
        var status = new ConnectorStatus { ResourceId = $"{Group}/providers/Microsoft.Web/connections/c1" };

        map.Annotate(status);
        var missing = map.Unseen(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { status.ResourceId }, _ => true);

        Assert.Equal("wf-a;wf-b", status.UsedBy);
        Assert.Equal(2, status.UsedByCount);
        Assert.EndsWith("/teams", Assert.Single(missing).ApiId);
    }
}
