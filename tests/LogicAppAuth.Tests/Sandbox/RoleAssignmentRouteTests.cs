using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class RoleAssignmentRouteTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Api = "api-version=2022-04-01";
    private const string Storage = Contoso.IntegrationGroup + "/providers/Microsoft.Storage/storageAccounts/stcontosodata";
    private const string BlobIngestIdentity = "5edb3a9b-55a3-4f36-a54d-44d7ee87433a";
    private const string Admin = "5e6f7a8b-1111-4c2d-8e9f-0a1b2c3d4e01";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

    private string Token => sandbox.Host.Info.AccessToken;

    private static string Scope(string scope) => scope + "/providers/Microsoft.Authorization/roleAssignments?" + Api;

    [Fact]
    public async Task PrincipalFilterFindsAssignmentsBelowTheScope()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{Scope("/subscriptions/" + Contoso.SubscriptionId)}&$filter=principalId eq '{BlobIngestIdentity}'", Token);

        Assert.Equal(200, status);
        var assignment = Assert.Single(body!["value"]!.AsArray())!;
        Assert.Equal("Microsoft.Authorization/roleAssignments", (string?)assignment["type"]);
        Assert.Equal(Storage, (string?)assignment["properties"]!["scope"]);
        Assert.EndsWith("/roleDefinitions/" + StorageBlobDataContributor, (string?)assignment["properties"]!["roleDefinitionId"]);
        Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        Assert.NotNull(assignment["properties"]!["createdOn"]);
        Assert.Equal((string?)assignment["name"], ((string)assignment["id"]!).Split('/')[^1]);
    }

    [Fact]
    public async Task AtScopeReturnsAssignmentsAtOrAboveOnly()
    {
        var (_, atStorage, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Scope(Storage)}&$filter=atScope()", Token);
        var (_, adminAtStorage, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{Scope(Storage)}&$filter=atScope() and principalId eq '{Admin}'", Token);
        var (_, ingestAtRg, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{Scope(Contoso.IntegrationGroup)}&$filter=atScope() and principalId eq '{BlobIngestIdentity}'", Token);

        var scopes = atStorage!["value"]!.AsArray().Select(a => (string)a!["properties"]!["scope"]!).ToList();
        Assert.Contains(Storage, scopes);
        Assert.Contains("/subscriptions/" + Contoso.SubscriptionId, scopes);
        Assert.All(scopes, s => Assert.StartsWith(s, Storage, StringComparison.OrdinalIgnoreCase));
        var adminAssignment = Assert.Single(adminAtStorage!["value"]!.AsArray())!;
        Assert.Equal("/subscriptions/" + Contoso.SubscriptionId, (string?)adminAssignment["properties"]!["scope"]);
        Assert.Empty(ingestAtRg!["value"]!.AsArray());
    }

    [Fact]
    public async Task ReaderMayListNoroleMayNotAndBadFiltersAreRefused()
    {
        var (readerStatus, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Scope(Contoso.IntegrationGroup), sandbox.Host.IssueToken("reader"));
        var (noroleStatus, norole, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Scope(Contoso.IntegrationGroup), sandbox.Host.IssueToken("norole"));
        var (badStatus, bad, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Scope(Contoso.IntegrationGroup)}&$filter=roleName eq 'Owner'", Token);

        Assert.Equal(200, readerStatus);
        Assert.Equal(403, noroleStatus);
        Assert.Contains("Microsoft.Authorization/roleAssignments/read", (string?)norole!["error"]!["message"]);
        Assert.Equal(400, badStatus);
        Assert.Equal("UnsupportedQuery", (string?)bad!["error"]!["code"]);
    }

    [Fact]
    public async Task RoleDefinitionsByIdAndByName()
    {
        var sub = "/subscriptions/" + Contoso.SubscriptionId;
        var (status, role, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{sub}/providers/Microsoft.Authorization/roleDefinitions/{StorageBlobDataContributor}?{Api}", Token);
        var (_, byName, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{Storage}/providers/Microsoft.Authorization/roleDefinitions?{Api}&$filter=roleName eq 'Azure Service Bus Data Sender'", Token);
        var (missing, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"{sub}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-000000000000?{Api}", Token);

        Assert.Equal(200, status);
        Assert.Equal("Microsoft.Authorization/roleDefinitions", (string?)role!["type"]);
        Assert.Equal(StorageBlobDataContributor, (string?)role["name"]);
        Assert.Equal("Storage Blob Data Contributor", (string?)role["properties"]!["roleName"]);
        Assert.Equal("BuiltInRole", (string?)role["properties"]!["type"]);
        var permissions = role["properties"]!["permissions"]![0]!;
        Assert.Contains(permissions["dataActions"]!.AsArray(), a => ((string)a!).EndsWith("blobs/read", StringComparison.Ordinal));
        Assert.NotNull(permissions["notActions"]);
        Assert.NotNull(permissions["notDataActions"]);
        Assert.Equal("/", (string?)role["properties"]!["assignableScopes"]![0]);
        var sender = Assert.Single(byName!["value"]!.AsArray())!;
        Assert.Equal("69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", (string?)sender["name"]);
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task PutCreatesThenTheSameGrantUnderAnotherNameIsRoleAssignmentExists()
    {
        var orderQueueIdentity = "5cd272fd-e0a2-4110-a23a-3c01bca0e2c2";
        var namespaceId = Contoso.IntegrationGroup + "/providers/Microsoft.ServiceBus/namespaces/sb-contoso-orders";
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
                ["principalId"] = orderQueueIdentity,
                ["principalType"] = "ServicePrincipal",
            },
        };

        async Task<(int, JsonNode?)> Put(string name, string? token = null)
        {
            var (status, response, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Put,
                $"{namespaceId}/providers/Microsoft.Authorization/roleAssignments/{name}?{Api}", token ?? Token,
                new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            return (status, response);
        }

        var (readerStatus, reader) = await Put(Guid.NewGuid().ToString(), sandbox.Host.IssueToken("reader"));
        var (created, document) = await Put("0f5a3c2e-7b1d-4f6a-9e8c-1d2b3c4a5e6f");
        var (again, _) = await Put("0f5a3c2e-7b1d-4f6a-9e8c-1d2b3c4a5e6f");
        var (conflict, error) = await Put(Guid.NewGuid().ToString());
        var (_, listed, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Scope(namespaceId)}&$filter=principalId eq '{orderQueueIdentity}'", Token);

        Assert.Equal(403, readerStatus);
        Assert.Contains("Microsoft.Authorization/roleAssignments/write", (string?)reader!["error"]!["message"]);
        Assert.Equal(201, created);
        Assert.Equal(namespaceId, (string?)document!["properties"]!["scope"]);
        Assert.Equal("0f5a3c2e-7b1d-4f6a-9e8c-1d2b3c4a5e6f", (string?)document["name"]);
        Assert.Equal(201, again);
        Assert.Equal(409, conflict);
        Assert.Equal("RoleAssignmentExists", (string?)error!["error"]!["code"]);
        Assert.Equal("The role assignment already exists.", (string?)error["error"]!["message"]);
        Assert.Single(listed!["value"]!.AsArray());
    }

    [Fact]
    public async Task PutForAnUnknownPrincipalWithoutPrincipalTypeIsPrincipalNotFound()
    {
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{StorageBlobDataContributor}",
                ["principalId"] = "11111111-2222-3333-4444-555555555555",
            },
        };
        var (status, error, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Put,
            $"{Storage}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?{Api}", Token,
            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(400, status);
        Assert.Equal("PrincipalNotFound", (string?)error!["error"]!["code"]);
    }
}
