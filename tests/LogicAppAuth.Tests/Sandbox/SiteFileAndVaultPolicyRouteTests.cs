using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>Standard apps' connections.json through the host runtime, Key Vault access policies, and the concurrent writer.</summary>
public sealed class SiteFileAndVaultPolicyRouteTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Site = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std";
    private const string File = Site + "/hostruntime/admin/vfs/connections.json?relativePath=1&api-version=2018-11-01";
    private const string LegacyVault = Contoso.IntegrationGroup + "/providers/Microsoft.KeyVault/vaults/kv-contoso-legacy";
    private const string VaultApi = "api-version=2023-07-01";

    private string Token => sandbox.Host.Info.AccessToken;

    private async Task<(int Status, string Text, string? ETag)> GetFile(string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, File);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        using var response = await sandbox.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.ETag?.Tag);
    }

    private async Task<int> PutFile(string text, string? ifMatch, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, File) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await sandbox.Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task TheFileIsServedWithAnETagAndReplacedOnlyWithAMatchingIfMatch()
    {
        var (status, text, etag) = await GetFile();
        Assert.Equal(200, status);
        Assert.NotNull(JsonNode.Parse(text)!["managedApiConnections"]!["sql"]);
        Assert.False(string.IsNullOrEmpty(etag));

        Assert.Equal(412, await PutFile(text, ifMatch: null));
        Assert.Equal(412, await PutFile(text, "\"0000000000000000\""));
        Assert.Equal(400, await PutFile("not json", "*"));
        Assert.Equal(403, await PutFile(text, "*", sandbox.Host.IssueToken("reader")));

        var edited = text.Replace("\"ManagedServiceIdentity\"", "\"Raw\"", StringComparison.Ordinal);
        Assert.Equal(204, await PutFile(edited, etag));
        var (_, after, newEtag) = await GetFile();
        Assert.Equal(edited, after);
        Assert.NotEqual(etag, newEtag);

        // listWorkflowsConnections follows the file.
        var (_, listed, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, Site + "/listWorkflowsConnections?api-version=2025-03-01", Token);
        Assert.Equal("Raw", (string?)listed!["properties"]!["files"]!["connections.json"]!["managedApiConnections"]!["sql"]!["authentication"]!["type"]);
        Assert.Equal(204, await PutFile(text, "*"));
    }

    [Fact]
    public async Task TheConcurrentWriterSavesAfterTheChosenRead()
    {
        var (_, text, etag) = await GetFile();
        sandbox.Host.State.ConcurrentWriter.Arm(Site + "/hostruntime/admin/vfs/connections.json", 2);
        var (_, first, firstEtag) = await GetFile();
        Assert.Equal(etag, firstEtag);
        var (_, second, _) = await GetFile();
        Assert.Equal(text, second);
        var (_, third, thirdEtag) = await GetFile();
        Assert.Equal(text + "\n", third);
        Assert.NotEqual(etag, thirdEtag);
        Assert.Equal(204, await PutFile(text, "*"));
        Assert.Equal(text, first);
    }

    [Fact]
    public async Task VaultAccessPoliciesAreAddedMergedAndRemoved()
    {
        const string principal = "11111111-2222-4333-8444-555555555555";
        JsonObject Policy(params string[] secrets) => new()
        {
            ["properties"] = new JsonObject
            {
                ["accessPolicies"] = new JsonArray(new JsonObject
                {
                    ["tenantId"] = Contoso.TenantId,
                    ["objectId"] = principal,
                    ["permissions"] = new JsonObject { ["secrets"] = new JsonArray(secrets.Select(s => (JsonNode?)s).ToArray()) },
                }),
            },
        };
        Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Put(string kind, JsonObject body, string? token = null) =>
            SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Put, $"{LegacyVault}/accessPolicies/{kind}?{VaultApi}", token ?? Token,
                new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        JsonObject? Mine(JsonNode? answer) => answer!["properties"]!["accessPolicies"]!.AsArray().OfType<JsonObject>().FirstOrDefault(p => (string?)p["objectId"] == principal);

        var (status, added, _) = await Put("add", Policy("get"));
        Assert.Equal(200, status);
        Assert.Equal("Microsoft.KeyVault/vaults/accessPolicies", (string?)added!["type"]);
        Assert.Equal(new[] { "get" }, Mine(added)!["permissions"]!["secrets"]!.AsArray().Select(s => (string?)s));

        var (_, merged, _) = await Put("add", Policy("get", "list"));
        Assert.Equal(new[] { "get", "list" }, Mine(merged)!["permissions"]!["secrets"]!.AsArray().Select(s => (string?)s));
        var (_, vault, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{LegacyVault}?{VaultApi}", Token);
        Assert.Equal(2, vault!["properties"]!["accessPolicies"]!.AsArray().Count);

        Assert.Equal(403, (await Put("add", Policy("get"), sandbox.Host.IssueToken("reader"))).Status);
        Assert.Equal(400, (await Put("merge", Policy("get"))).Status);

        var (_, removed, _) = await Put("remove", Policy("get", "list"));
        Assert.Null(Mine(removed));
        Assert.Single(removed!["properties"]!["accessPolicies"]!.AsArray());
    }
}
