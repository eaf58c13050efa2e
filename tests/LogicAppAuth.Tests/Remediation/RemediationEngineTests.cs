using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Connectors;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;
using LogicAppAuth.Engine.Remediation;
using LogicAppAuth.Tests.Engine;
using Xunit;

namespace LogicAppAuth.Tests.Remediation;

public sealed class RoleTableTests
{
    [Theory]
    [InlineData("servicebus", ConnectionUsage.Send, "Azure Service Bus Data Sender")]
    [InlineData("servicebus", ConnectionUsage.Receive, "Azure Service Bus Data Receiver")]
    [InlineData("servicebus", ConnectionUsage.None, "Azure Service Bus Data Sender")]
    [InlineData("eventhubs", ConnectionUsage.Receive, "Azure Event Hubs Data Receiver")]
    [InlineData("azureblob", ConnectionUsage.Send, "Storage Blob Data Contributor")]
    [InlineData("azurequeues", ConnectionUsage.Send, "Storage Queue Data Contributor")]
    [InlineData("azuretables", ConnectionUsage.Receive, "Storage Table Data Contributor")]
    [InlineData("keyvault", ConnectionUsage.Send, "Key Vault Secrets User")]
    public void Picks_the_narrow_data_role(string api, ConnectionUsage usage, string role) =>
        Assert.Equal(new[] { role }, RoleTable.For(api, usage).Select(r => r.Name));

    [Fact]
    public void Both_directions_get_both_roles_and_never_Contributor_or_Owner()
    {
        var roles = RoleTable.For("servicebus", ConnectionUsage.Send | ConnectionUsage.Receive).Select(r => r.Name).ToList();
        Assert.Equal(new[] { "Azure Service Bus Data Sender", "Azure Service Bus Data Receiver" }, roles);
        foreach (var api in new[] { "servicebus", "eventhubs", "azureblob", "azurequeues", "azuretables", "keyvault" })
        {
            Assert.DoesNotContain(RoleTable.For(api, ConnectionUsage.Send | ConnectionUsage.Receive), r => r.Name is "Contributor" or "Owner");
        }
    }

    [Fact]
    public void Roles_by_name_or_guid_and_unknown_names_refused()
    {
        Assert.Equal("b24988ac-6180-42a0-ab88-20f7382dd24c", RoleTable.Resolve("contributor").Id);
        Assert.Equal("ba92f5b4-2d11-453d-a403-e96b0029c9fe", RoleTable.Resolve("ba92f5b4-2d11-453d-a403-e96b0029c9fe").Id);
        var error = Assert.Throws<LogicAppAuthException>(() => RoleTable.Resolve("Storage Wizard"));
        Assert.Equal("UnknownRole", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Role_assignment_names_are_stable_version_5_guids()
    {
        var a = DeterministicGuid.ForRoleAssignment("/subscriptions/s/resourceGroups/RG/providers/x/y/z", "ABC", "ROLE");
        var b = DeterministicGuid.ForRoleAssignment("/subscriptions/s/resourcegroups/rg/providers/x/y/z/", "abc", "role");
        Assert.Equal(a, b);
        Assert.NotEqual(a, DeterministicGuid.ForRoleAssignment("/subscriptions/s/resourceGroups/RG/providers/x/y/z", "abc", "other"));
        Assert.Equal('5', a.ToString("D")[14]);
    }
}

public sealed class ConnectorShapeTests
{
    [Fact]
    public void Multi_auth_connector_uses_its_managed_identity_parameter_set()
    {
        var api = JsonNode.Parse("""{"properties":{"connectionParameterSets":{"values":[{"name":"keyBasedAuth","parameters":{"accountName":{},"accessKey":{}}},{"name":"managedIdentityAuth","parameters":{"accountName":{}}}]}}}""");
        var shape = ConnectorShape.Read(api);
        Assert.Equal(ManagedIdentityStyle.ParameterValueSet, shape.Style);
        Assert.Equal("managedIdentityAuth", shape.SetName);
        Assert.Equal(new[] { "accountName" }, shape.Parameters);
        Assert.True(shape.IsManagedIdentity(JsonNode.Parse("""{"properties":{"parameterValueSet":{"name":"managedIdentityAuth","values":{}}}}""")));
        Assert.False(shape.IsManagedIdentity(JsonNode.Parse("""{"properties":{"parameterValues":{}}}""")));
    }

    [Fact]
    public void Single_auth_connector_uses_the_alternative_and_oauth_only_is_not_supported()
    {
        var automation = ConnectorShape.Read(JsonNode.Parse("""{"properties":{"connectionParameters":{"token":{"type":"oauthSetting"}},"connectionAlternativeParameters":{"authentication":{"type":"managedIdentity"}}}}"""));
        Assert.Equal(ManagedIdentityStyle.Alternative, automation.Style);
        Assert.Equal("token", automation.OAuthParameter);
        var office = ConnectorShape.Read(JsonNode.Parse("""{"properties":{"connectionParameters":{"token":{"type":"oauthSetting"}}}}"""));
        Assert.Equal(ManagedIdentityStyle.NotSupported, office.Style);
        Assert.Equal("token", office.OAuthParameter);
    }

    [Fact]
    public void Json_round_trip_keeps_order_numbers_and_unknown_members()
    {
        const string text = """{"b":1.50,"a":{"z":"<x>+é","y":[1e3,true,null]},"unknown":{"deep":{"x":12345678901234567890}}}""";
        Assert.Equal(text, JsonEdit.Serialize(JsonEdit.ParseObject(text)));
    }
}

/// <summary>The engine against the in-process contoso sandbox: a concurrent save between plan and apply is refused, and nothing is written.</summary>
public sealed class ConcurrencyTests : IClassFixture<ContosoSessionFixture>, IDisposable
{
    private const string Subscription = Contoso.SubscriptionId;
    private readonly ContosoSessionFixture _sandbox;
    private readonly string _backupFolder = Path.Combine(Path.GetTempPath(), "laa-concurrency-" + Guid.NewGuid().ToString("N"));

    public ConcurrencyTests(ContosoSessionFixture sandbox) => _sandbox = sandbox;

    public void Dispose()
    {
        if (Directory.Exists(_backupFolder))
        {
            Directory.Delete(_backupFolder, true);
        }
    }

    [Fact]
    public async Task A_workflow_saved_by_someone_else_after_planning_is_not_overwritten()
    {
        var connection = $"/subscriptions/{Subscription}/resourceGroups/rg-integration/providers/Microsoft.Web/connections/azureblob-sp-cert-expired";
        var workflow = $"/subscriptions/{Subscription}/resourceGroups/rg-integration/providers/Microsoft.Logic/workflows/wf-blob-export";
        var sink = new CollectingSink();
        var remediator = new ManagedIdentityRemediator(_sandbox.Session(), new BackupStore(_backupFolder), new ManagedIdentityOptions());
        var plan = await remediator.PlanAsync(connection, sink, CancellationToken.None);
        Assert.Equal(new[] { "PATCH", "PUT", "PUT", "PUT" }, plan.Changes.Select(c => c.Method));

        // Someone saves the workflow (a tag change through a full PUT) between the plan and the first write.
        using var client = _sandbox.Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _sandbox.Host.IssueToken("admin"));
        var current = JsonNode.Parse(await client.GetStringAsync($"{workflow}?api-version=2019-05-01"))!.AsObject();
        current["tags"] = new JsonObject { ["owner"] = "someone-else" };
        using (var put = await client.PutAsync($"{workflow}?api-version=2019-05-01", new StringContent(current.ToJsonString(), Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }

        var before = _sandbox.Host.State.Log.Snapshot().Count;
        var error = await Assert.ThrowsAsync<LogicAppAuthException>(() => plan.ApplyAsync(plan.Changes[0], sink, CancellationToken.None));
        Assert.Equal("ConcurrentChange", error.ErrorId);
        Assert.Contains("No earlier change had been made", error.Message);
        Assert.True(plan.Stopped);
        foreach (var change in plan.Changes.Skip(1))
        {
            await plan.ApplyAsync(change, sink, CancellationToken.None);
            Assert.Equal(LogicAppAuth.RemediationStatus.Skipped, change.Status);
        }

        var sent = _sandbox.Host.State.Log.Snapshot().Skip(before).ToList();
        Assert.DoesNotContain(sent, r => r.Method is "PUT" or "PATCH" or "DELETE");
        var after = JsonNode.Parse(await client.GetStringAsync($"{workflow}?api-version=2019-05-01"))!;
        Assert.Null(after["identity"]);
        Assert.Equal("someone-else", (string?)after["tags"]?["owner"]);
    }
}
