using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class GraphDirectoryTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string KeyVaultAppId = "7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3";
    private const string BlobExportAppId = "8d2f5a3b-0c4e-4f6a-b7c8-d9e0f1a2b3c4";

    private string Token => sandbox.Host.Info.MicrosoftGraphAccessToken;

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Get(string url, string? token = null) =>
        SandboxHttpFixture.GetAsync(sandbox.Client, url, token ?? Token);

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Batch(JsonObject payload, string? token = null) =>
        SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, "/v1.0/$batch", token ?? Token,
            new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task ApplicationsFilterByAppIdWithSelect()
    {
        var (status, body, _) = await Get($"/v1.0/applications?$filter=appId eq '{KeyVaultAppId}'&$select=id,appId,displayName,passwordCredentials");

        Assert.Equal(200, status);
        var app = Assert.Single(body!["value"]!.AsArray())!;
        Assert.Equal("app-logic-keyvault-reader", (string?)app["displayName"]);
        Assert.Equal(4, app.AsObject().Count);
        var secret = Assert.Single(app["passwordCredentials"]!.AsArray())!;
        Assert.Equal(sandbox.Host.Info.Served("2025-06-30T08:00:00Z"), DateTimeOffset.Parse((string)secret["endDateTime"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(secret["keyId"]);
        Assert.Equal("Q7m", (string?)secret["hint"]);
        Assert.Contains("#applications(id,appId,displayName,passwordCredentials)", (string?)body["@odata.context"]);
    }

    [Fact]
    public async Task FilterWithInListAndServicePrincipalsByAppId()
    {
        var (_, apps, _) = await Get($"/v1.0/applications?$filter=appId in ('{KeyVaultAppId}','{BlobExportAppId}')&$select=appId,keyCredentials");
        var (status, sps, _) = await Get($"/v1.0/servicePrincipals?$filter=appId eq '{BlobExportAppId}'");

        Assert.Equal(2, apps!["value"]!.AsArray().Count);
        var cert = apps["value"]!.AsArray().Single(a => (string?)a!["appId"] == BlobExportAppId)!["keyCredentials"]![0]!;
        Assert.Equal("AsymmetricX509Cert", (string?)cert["type"]);
        Assert.Equal("Verify", (string?)cert["usage"]);
        Assert.NotNull(cert["customKeyIdentifier"]);
        Assert.Equal(200, status);
        var sp = Assert.Single(sps!["value"]!.AsArray())!;
        Assert.Equal("Application", (string?)sp["servicePrincipalType"]);
        Assert.NotNull(sp["passwordCredentials"]);
        Assert.NotNull(sp["keyCredentials"]);
        Assert.Equal(BlobExportAppId, (string?)sp["servicePrincipalNames"]![0]);
    }

    [Fact]
    public async Task GetByIdAndAlternateKey()
    {
        var (appStatus, app, _) = await Get("/v1.0/applications/e1f2a3b4-0007-4c5d-8e6f-7a8b9c0d1e07");
        var (spStatus, sp, _) = await Get($"/v1.0/servicePrincipals(appId='{KeyVaultAppId}')?$select=id,displayName");
        var (userStatus, user, _) = await Get("/v1.0/users('DiegoS@contoso.onmicrosoft.com')?$select=accountEnabled");
        var (missing, error, _) = await Get("/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000000");

        Assert.Equal(200, appStatus);
        Assert.Equal(KeyVaultAppId, (string?)app!["appId"]);
        Assert.NotNull(app["web"]);
        Assert.Contains("/$entity", (string?)app["@odata.context"]);
        Assert.Equal(200, spStatus);
        Assert.Equal("f2a3b4c5-0007-4d6e-9f7a-8b9c0d1e2f07", (string?)sp!["id"]);
        Assert.Equal(200, userStatus);
        Assert.False((bool)user!["accountEnabled"]!);
        Assert.Equal(404, missing);
        Assert.Equal("Request_ResourceNotFound", (string?)error!["error"]!["code"]);
    }

    [Fact]
    public async Task PagingFollowsOdataNextLinkAndTopIsLimitedTo999()
    {
        var seen = new List<string>();
        string? url = "/v1.0/servicePrincipals?$top=2&$select=id";
        var pages = 0;
        while (url is not null)
        {
            var (status, body, _) = await Get(url);
            Assert.Equal(200, status);
            seen.AddRange(body!["value"]!.AsArray().Select(v => (string)v!["id"]!));
            url = (string?)body["@odata.nextLink"];
            Assert.True(url is null || url.StartsWith(sandbox.Host.Endpoint.ToString().TrimEnd('/') + "/v1.0/servicePrincipals?", StringComparison.Ordinal));
            pages++;
        }

        var (allStatus, all, _) = await Get("/v1.0/servicePrincipals?$top=999&$select=id");
        var (tooMany, error, _) = await Get("/v1.0/servicePrincipals?$top=1000");

        Assert.Equal(200, allStatus);
        Assert.Null(all!["@odata.nextLink"]);
        Assert.Equal(all["value"]!.AsArray().Select(v => (string)v!["id"]!), seen);
        Assert.True(pages > 1);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(400, tooMany);
        Assert.Equal("Request_UnsupportedQuery", (string?)error!["error"]!["code"]);
    }

    [Fact]
    public async Task AppRoleAssignmentsOfAServicePrincipal()
    {
        var (status, body, _) = await Get("/v1.0/servicePrincipals/5e6f7a8b-2222-4c2d-8e9f-0a1b2c3d4e02/appRoleAssignments");

        Assert.Equal(200, status);
        var assignments = body!["value"]!.AsArray();
        Assert.Contains(assignments, a => (string?)a!["appRoleId"] == "df021288-bdef-4463-88db-98f22de89214");
        var first = assignments[0]!;
        Assert.Equal("5e6f7a8b-2222-4c2d-8e9f-0a1b2c3d4e02", (string?)first["principalId"]);
        Assert.Equal("ServicePrincipal", (string?)first["principalType"]);
        Assert.Equal("Microsoft Graph", (string?)first["resourceDisplayName"]);
        Assert.Equal("0a7f3c5e-6b1d-4e2f-9a8b-c7d6e5f4a3b2", (string?)first["resourceId"]);
        Assert.NotNull(first["id"]);
        Assert.NotNull(first["createdDateTime"]);
    }

    [Fact]
    public async Task NoroleIsRefusedOnUsersAppsAndServicePrincipalsReaderIsNot()
    {
        var norole = sandbox.Host.IssueToken("norole", TokenIssuer.GraphAudience);
        var reader = sandbox.Host.IssueToken("reader", TokenIssuer.GraphAudience);
        foreach (var url in new[] { "/v1.0/users/MeganB@contoso.onmicrosoft.com", "/v1.0/applications", "/v1.0/servicePrincipals" })
        {
            var (status, body, _) = await Get(url, norole);
            Assert.Equal(403, status);
            Assert.Equal("Authorization_RequestDenied", (string?)body!["error"]!["code"]);
            Assert.Equal("Insufficient privileges to complete the operation.", (string?)body["error"]!["message"]);
            var (readerStatus, _, _) = await Get(url, reader);
            Assert.Equal(200, readerStatus);
        }
    }

    [Fact]
    public async Task BatchOfTwentyAnswersEachWithItsOwnStatus()
    {
        var requests = new JsonArray();
        for (var i = 0; i < 19; i++)
        {
            requests.Add(new JsonObject { ["id"] = $"{i}", ["method"] = "GET", ["url"] = "/users/DiegoS@contoso.onmicrosoft.com?$select=accountEnabled" });
        }

        requests.Add(new JsonObject { ["id"] = "missing", ["method"] = "GET", ["url"] = "/users/AlexW@contoso.onmicrosoft.com?$select=accountEnabled" });
        var (status, body, _) = await Batch(new JsonObject { ["requests"] = requests });

        Assert.Equal(200, status);
        var responses = body!["responses"]!.AsArray();
        Assert.Equal(20, responses.Count);
        Assert.Equal("missing", (string?)responses[0]!["id"]);   // answered out of order, as Graph may
        var ok = responses.Single(r => (string?)r!["id"] == "3")!;
        Assert.Equal(200, (int)ok["status"]!);
        Assert.False((bool)ok["body"]!["accountEnabled"]!);
        Assert.NotNull(ok["headers"]!["Content-Type"]);
        var missing = responses.Single(r => (string?)r!["id"] == "missing")!;
        Assert.Equal(404, (int)missing["status"]!);
        Assert.Equal("Request_ResourceNotFound", (string?)missing["body"]!["error"]!["code"]);
    }

    [Fact]
    public async Task BatchOfTwentyOneIsRefused()
    {
        var requests = new JsonArray();
        for (var i = 0; i < 21; i++)
        {
            requests.Add(new JsonObject { ["id"] = $"{i}", ["method"] = "GET", ["url"] = "/users/MeganB@contoso.onmicrosoft.com" });
        }

        var (status, body, _) = await Batch(new JsonObject { ["requests"] = requests });

        Assert.Equal(400, status);
        Assert.Equal("BadRequest", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task BatchItemsUseTheCallersRolesAndDecodeGuestUpns()
    {
        var payload = new JsonObject
        {
            ["requests"] = new JsonArray(
                new JsonObject { ["id"] = "guest", ["method"] = "GET", ["url"] = "/users/john.doe_fabrikam.com%23EXT%23@contoso.onmicrosoft.com?$select=userType" },
                new JsonObject { ["id"] = "app", ["method"] = "GET", ["url"] = $"applications?$filter=appId eq '{KeyVaultAppId}'&$select=displayName" }),
        };

        var (_, admin, _) = await Batch(payload);
        var (noroleStatus, norole, _) = await Batch(payload, sandbox.Host.IssueToken("norole", TokenIssuer.GraphAudience));
        var (unauthenticated, _, _) = await Batch(payload, sandbox.Host.Info.AccessToken);

        var responses = admin!["responses"]!.AsArray();
        Assert.Equal("Guest", (string?)responses.Single(r => (string?)r!["id"] == "guest")!["body"]!["userType"]);
        Assert.Equal("app-logic-keyvault-reader", (string?)responses.Single(r => (string?)r!["id"] == "app")!["body"]!["value"]![0]!["displayName"]);
        Assert.Equal(200, noroleStatus);
        Assert.All(norole!["responses"]!.AsArray(), r => Assert.Equal(403, (int)r!["status"]!));
        Assert.Equal(401, unauthenticated);
    }
}
