using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>
/// Standard apps beyond connections.json: app settings (config/appsettings/list), parameters.json and workflow files through
/// the host runtime VFS with the host's own errors, sites/workflows, built-in (service provider) connections, and the listKeys
/// of their targets, each with its RBAC refusal.
/// </summary>
public sealed partial class StandardAppRouteTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Standard = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-standard";
    private const string VsCode = Standard + "/providers/Microsoft.Web/sites/la-contoso-vscode";
    private const string BuiltIn = Standard + "/providers/Microsoft.Web/sites/la-contoso-builtin";
    private const string Std = Standard + "/providers/Microsoft.Web/sites/la-contoso-std";
    private const string Rule = Standard + "/providers/Microsoft.ServiceBus/namespaces/sb-contoso-builtin/authorizationRules/RootManageSharedAccessKey";
    private const string Account = Standard + "/providers/Microsoft.Storage/storageAccounts/stcontosobuiltin";
    private const string Vfs = "/hostruntime/admin/vfs/";
    private const string VfsQuery = "?relativePath=1&api-version=2018-11-01";

    private string Token => sandbox.Host.Info.AccessToken;

    private string ReaderToken => sandbox.Host.IssueToken("reader");

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Post(string url, string? token = null) =>
        SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, url, token ?? Token);

    private async Task<(int Status, string Text, HttpResponseMessage Response)> Raw(HttpMethod method, string url, string? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var response = await sandbox.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task<JsonObject> AppSettings(string site) =>
        (await Post(site + "/config/appsettings/list?api-version=2023-12-01")).Body!["properties"]!.AsObject();

    [Fact]
    public async Task AppSettingsAreListedInArmsShapeOnlyWithTheListAction()
    {
        var (status, body, _) = await Post(VsCode + "/config/appsettings/list?api-version=2023-12-01");
        Assert.Equal(200, status);
        Assert.Equal(VsCode + "/config/appsettings", (string?)body!["id"]);
        Assert.Equal("appsettings", (string?)body["name"]);
        Assert.Equal("Microsoft.Web/sites/config", (string?)body["type"]);
        var settings = body["properties"]!.AsObject();
        Assert.Equal(Contoso.SubscriptionId, (string?)settings["WORKFLOWS_SUBSCRIPTION_ID"]);
        Assert.Equal("rg-standard", (string?)settings["WORKFLOWS_RESOURCE_GROUP_NAME"]);
        Assert.StartsWith("sbx-connkey.", (string?)settings["office365-connectionKey"], StringComparison.Ordinal);

        var (refused, error, _) = await Post(VsCode + "/config/appsettings/list?api-version=2023-12-01", ReaderToken);
        Assert.Equal(403, refused);
        Assert.Equal("AuthorizationFailed", (string?)error!["error"]!["code"]);
        Assert.Contains("'Microsoft.Web/sites/config/list/action' over scope '" + VsCode + "/config/appsettings'", (string?)error["error"]!["message"], StringComparison.Ordinal);

        var (unregistered, version, _) = await Post(VsCode + "/config/appsettings/list?api-version=2016-06-01");
        Assert.Equal(400, unregistered);
        Assert.Equal("NoRegisteredProviderFound", (string?)version!["error"]!["code"]);

        var (missing, notFound, _) = await Post(Standard + "/providers/Microsoft.Web/sites/la-nowhere/config/appsettings/list?api-version=2023-12-01");
        Assert.Equal(404, missing);
        Assert.Equal("ResourceNotFound", (string?)notFound!["error"]!["code"]);
    }

    [Fact]
    public async Task ParametersJsonIsServedLikeConnectionsJsonAndAMissingFileAnswersAsTheHostDoes()
    {
        var (status, text, response) = await Raw(HttpMethod.Get, VsCode + Vfs + "parameters.json" + VfsQuery);
        Assert.Equal(200, status);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("ManagedServiceIdentity", (string?)JsonNode.Parse(text)!["sql-Authentication"]!["value"]!["type"]);

        var (_, connections, _) = await Raw(HttpMethod.Get, VsCode + Vfs + "connections.json" + VfsQuery);
        var sql = JsonNode.Parse(connections)!["managedApiConnections"]!["sql"]!;
        Assert.Equal("@parameters('sql-Authentication')", (string?)sql["authentication"]);
        Assert.StartsWith("/subscriptions/@{appsetting('WORKFLOWS_SUBSCRIPTION_ID')}/resourceGroups/@{appsetting('WORKFLOWS_RESOURCE_GROUP_NAME')}/",
            (string?)sql["connection"]!["id"], StringComparison.Ordinal);

        // la-contoso-std has no parameters.json: the Functions host's 404, a bare string labelled application/json.
        var (missing, body, missingResponse) = await Raw(HttpMethod.Get, Std + Vfs + "parameters.json" + VfsQuery);
        Assert.Equal(404, missing);
        Assert.Equal(@"'C:\home\site\wwwroot\parameters.json' not found.", body);
        Assert.Equal("application/json", missingResponse.Content.Headers.ContentType?.MediaType);
        var (outside, _, _) = await Raw(HttpMethod.Get, Std + Vfs + "wf-std-daily-orders/%2E%2E/%2E%2E/data/secrets.json" + VfsQuery);
        Assert.Equal(404, outside);

        var (noIfMatch, refusal, _) = await Raw(HttpMethod.Put, VsCode + Vfs + "parameters.json" + VfsQuery, text);
        Assert.Equal((412, "missing If-Match"), (noIfMatch, refusal));
        var (created, _, _) = await Raw(HttpMethod.Put, Std + Vfs + "scratch/notes.json" + VfsQuery, "{}");
        Assert.Equal(201, created);
    }

    [Fact]
    public async Task TheVfsListsFoldersAndServesWorkflowFiles()
    {
        var (status, text, _) = await Raw(HttpMethod.Get, BuiltIn + Vfs + VfsQuery);
        Assert.Equal(200, status);
        var entries = JsonNode.Parse(text)!.AsArray();
        Assert.Equal(["connections.json", "host.json", "wf-builtin-archive", "wf-builtin-orders"], entries.Select(e => (string)e!["name"]!).Order(StringComparer.Ordinal));
        var folder = entries.Single(e => (string?)e!["name"] == "wf-builtin-orders")!;
        Assert.Equal("inode/directory", (string?)folder["mime"]);
        Assert.Equal(@"C:\home\site\wwwroot\wf-builtin-orders", (string?)folder["path"]);

        var (_, workflow, _) = await Raw(HttpMethod.Get, BuiltIn + Vfs + "wf-builtin-orders/workflow.json" + VfsQuery);
        var trigger = JsonNode.Parse(workflow)!["definition"]!["triggers"]!.AsObject().Single().Value!;
        Assert.Equal("ServiceProvider", (string?)trigger["type"]);
        Assert.Equal("serviceBus-key-current", (string?)trigger["inputs"]!["serviceProviderConfiguration"]!["connectionName"]);
    }

    [Fact]
    public async Task WorkflowsAreListedAsSiteWorkflowEnvelopesAndNameOnlyConnectionsTheAppDeclares()
    {
        var (status, list, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, BuiltIn + "/workflows?api-version=2018-11-01", Token);
        Assert.Equal(200, status);
        Assert.Equal(["la-contoso-builtin/wf-builtin-archive", "la-contoso-builtin/wf-builtin-orders"],
            list!["value"]!.AsArray().Select(w => (string)w!["name"]!).Order(StringComparer.Ordinal));
        Assert.All(list["value"]!.AsArray(), w => Assert.Equal("Microsoft.Web/sites/workflows", (string?)w!["type"]));

        var (_, one, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, BuiltIn + "/workflows/wf-builtin-orders?api-version=2025-03-01", Token);
        Assert.Equal("Stateful", (string?)one!["kind"]);
        Assert.Equal("Enabled", (string?)one["properties"]!["flowState"]);
        var files = one["properties"]!["files"]!;
        var declared = files["connections.json"]!["serviceProviderConnections"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.Equal(8, declared.Count);
        var named = Regex.Matches(files["workflow.json"]!.ToJsonString(), "\"connectionName\":\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.Contains(name, declared));

        var (missing, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, BuiltIn + "/workflows/wf-none?api-version=2025-03-01", Token);
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task ServiceBusListKeysShowsTheCurrentKeySoTheRotatedSettingNoLongerMatches()
    {
        var (status, keys, _) = await Post(Rule + "/listKeys?api-version=2021-11-01");
        Assert.Equal(200, status);
        var primary = (string)keys!["primaryKey"]!;
        Assert.Equal("RootManageSharedAccessKey", (string?)keys["keyName"]);
        Assert.Equal($"Endpoint=sb://sb-contoso-builtin.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={primary}",
            (string?)keys["primaryConnectionString"]);

        var settings = await AppSettings(BuiltIn);
        Assert.Equal((string?)keys["primaryConnectionString"], (string?)settings["serviceBus_connectionString"]);
        var rotated = ((string)settings["serviceBusLegacy_connectionString"]!).Split("SharedAccessKey=")[1];
        Assert.DoesNotContain(rotated, new[] { primary, (string)keys["secondaryKey"]! });
        Assert.DoesNotContain("sql_connectionString", settings.Select(p => p.Key));

        var (refused, error, _) = await Post(Rule + "/listKeys?api-version=2021-11-01", ReaderToken);
        Assert.Equal(403, refused);
        Assert.Contains("'Microsoft.ServiceBus/namespaces/authorizationRules/listKeys/action'", (string?)error!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageListKeysAndTheSasSettingsExpireRelativeToTheSandboxStart()
    {
        var (status, body, _) = await Post(Account + "/listKeys?api-version=2023-01-01");
        Assert.Equal(200, status);
        var keys = body!["keys"]!.AsArray();
        Assert.Equal(["key1", "key2"], keys.Select(k => (string)k!["keyName"]!));
        Assert.All(keys, k => Assert.Equal("FULL", (string?)k!["permissions"]));
        var settings = await AppSettings(BuiltIn);
        Assert.Contains("AccountKey=" + (string)keys[0]!["value"]! + ";", (string?)settings["AzureWebJobsStorage"], StringComparison.Ordinal);

        DateTimeOffset Expiry(string setting) => DateTimeOffset.Parse(SasExpiry().Match((string)settings[setting]!).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(sandbox.Host.Info.Served("2026-10-31T00:00:00Z"), Expiry("AzureBlobArchive_connectionString"));
        Assert.True(Expiry("AzureBlobArchive_connectionString") < DateTimeOffset.UtcNow);
        Assert.True(Expiry("azureTables_connectionString") > DateTimeOffset.UtcNow.AddDays(90));

        var (refused, error, _) = await Post(Account + "/listKeys?api-version=2023-01-01", ReaderToken);
        Assert.Equal(403, refused);
        Assert.Contains("'Microsoft.Storage/storageAccounts/listKeys/action'", (string?)error!["error"]!["message"], StringComparison.Ordinal);
    }

    [GeneratedRegex(@"[;&]se=([0-9T:\-]+Z)")]
    private static partial Regex SasExpiry();
}
