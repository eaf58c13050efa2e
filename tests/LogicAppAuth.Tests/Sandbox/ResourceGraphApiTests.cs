using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.ResourceGraph;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>A contoso sandbox whose Resource Graph quota does not get in the way of many queries.</summary>
public sealed class ResourceGraphFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await ResourceGraphApiTests.StartAsync(new SandboxOptions { ResourceGraphQuota = 100_000 });
        Client = Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>POST /providers/Microsoft.ResourceGraph/resources against the contoso scenario.</summary>
public sealed class ResourceGraphApiTests(ResourceGraphFixture sandbox) : IClassFixture<ResourceGraphFixture>
{
    private const string ConnectionsQuery = "resources | where type =~ 'Microsoft.Web/connections'";

    public static Task<SandboxHost> StartAsync(SandboxOptions options)
    {
        options.CertificateDirectory ??= Path.Combine(Path.GetTempPath(), "laa-sandbox-arg-" + Guid.NewGuid());
        return SandboxHost.StartAsync(options);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> QueryAsync(
        HttpClient client, string? token, JsonObject body, string apiVersion = "2021-03-01") =>
        SandboxHttpFixture.SendAsync(client, HttpMethod.Post, $"{ResourceGraphApi.Path}?api-version={apiVersion}", token,
            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    public static JsonObject Body(string query, string[]? subscriptions = null, string[]? managementGroups = null, JsonObject? options = null)
    {
        var body = new JsonObject();
        if (subscriptions is not null)
        {
            body["subscriptions"] = new JsonArray(subscriptions.Select(s => (JsonNode)s).ToArray());
        }

        if (managementGroups is not null)
        {
            body["managementGroups"] = new JsonArray(managementGroups.Select(s => (JsonNode)s).ToArray());
        }

        body["query"] = query;
        if (options is not null)
        {
            body["options"] = options;
        }

        return body;
    }

    private Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> QueryAsync(JsonObject body, string principal = "admin", string apiVersion = "2021-03-01") =>
        QueryAsync(sandbox.Client, sandbox.Host.IssueToken(principal), body, apiVersion);

    private int StoredConnections(string? subscription = null) => sandbox.Host.Scenario.Resources.Count(r =>
        (string?)r["type"] == "Microsoft.Web/connections"
        && (subscription is null || ((string)r["id"]!).StartsWith($"/subscriptions/{subscription}/", StringComparison.OrdinalIgnoreCase)));

    [Fact]
    public async Task RowsAreWholeResourceDocumentsInResourceGraphShape()
    {
        var (status, body, _) = await QueryAsync(Body("resources | where type =~ 'microsoft.web/connections' and name == 'office365-expired'"));

        Assert.Equal(200, status);
        Assert.Equal(1, (int)body!["totalRecords"]!);
        Assert.Equal(1, (int)body["count"]!);
        Assert.Equal("false", (string?)body["resultTruncated"]);
        Assert.Empty(body["facets"]!.AsArray());
        Assert.Null(body["$skipToken"]);
        var row = body["data"]!.AsArray().Single()!.AsObject();
        Assert.Equal(
            ["id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy", "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation"],
            row.Select(p => p.Key).ToArray());
        var stored = sandbox.Host.Scenario.Resources.Single(r => (string?)r["name"] == "office365-expired");
        Assert.Equal((string?)stored["id"], (string?)row["id"]);
        Assert.Equal("microsoft.web/connections", (string?)row["type"]);
        Assert.Equal("rg-integration", (string?)row["resourceGroup"]);
        Assert.Equal(Contoso.SubscriptionId, (string?)row["subscriptionId"]);
        Assert.Equal(sandbox.Host.Info.TenantId, (string?)row["tenantId"]);
        Assert.Equal("V1", (string?)row["kind"]);
        Assert.Equal("westeurope", (string?)row["location"]);
        Assert.Equal("", (string?)row["managedBy"]);
        Assert.Null(row["sku"]);
        Assert.Null(row["identity"]);
        Assert.True(JsonNode.DeepEquals(stored["properties"], row["properties"]));
        Assert.Contains("AADSTS700082", (string?)row["properties"]!["statuses"]![0]!["error"]!["message"]);
    }

    [Fact]
    public async Task LocationsAndResourceGroupsAreNormalisedAndIdentityIsCopied()
    {
        var (_, body, _) = await QueryAsync(Body("resources | where type =~ 'microsoft.web/sites' and kind contains 'workflowapp' and name == 'la-contoso-std'"));

        var row = body!["data"]!.AsArray().Single()!;
        Assert.Equal("westeurope", (string?)row["location"]);
        Assert.Equal("rg-standard", (string?)row["resourceGroup"]);
        Assert.Equal("functionapp,workflowapp", (string?)row["kind"]);
        Assert.Equal("SystemAssigned", (string?)row["identity"]!["type"]);
    }

    [Fact]
    public async Task ProjectedAndExtendedQueriesReturnTheirColumns()
    {
        var query = """
            resources
            | where type =~ 'microsoft.web/connections'
            | extend api = tostring(properties.api.name), st = tostring(properties.statuses[0].status), errCode = tostring(properties.statuses[0].error.code)
            | where st == 'Error'
            | project id, name, resourceGroup, api, st, errCode
            | order by name asc
            """;

        var (status, body, _) = await QueryAsync(Body(query));

        Assert.Equal(200, status);
        var rows = body!["data"]!.AsArray();
        var expected = sandbox.Host.Scenario.Resources
            .Where(r => (string?)r["type"] == "Microsoft.Web/connections" && (string?)r["properties"]!["statuses"]![0]!["status"] == "Error")
            .Select(r => (string)r["name"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, rows.Select(r => (string)r!["name"]!).ToList());
        Assert.All(rows, r => Assert.Equal(["id", "name", "resourceGroup", "api", "st", "errCode"], r!.AsObject().Select(p => p.Key).ToArray()));
        Assert.Contains(rows, r => (string?)r!["errCode"] == "Unauthenticated");
    }

    [Fact]
    public async Task TableResultFormatHasColumnsAndRows()
    {
        var (_, body, _) = await QueryAsync(Body("resources | where name == 'office365-healthy' | project name, kind",
            options: new JsonObject { ["resultFormat"] = "table" }));

        Assert.Equal(["name", "kind"], body!["data"]!["columns"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());
        Assert.Equal("office365-healthy", (string?)body["data"]!["rows"]![0]![0]);
    }

    [Theory]
    [InlineData("2021-03-01")]
    [InlineData("2022-10-01")]
    [InlineData("2024-04-01")]
    public async Task StableApiVersionsAreAccepted(string apiVersion)
    {
        var (status, body, _) = await QueryAsync(Body(ConnectionsQuery + " | count"), apiVersion: apiVersion);

        Assert.Equal(200, status);
        Assert.Equal(StoredConnections(), (int)body!["data"]![0]!["Count"]!);
    }

    [Fact]
    public async Task UnknownOrMissingApiVersionIsRejected()
    {
        var (status, body, _) = await QueryAsync(Body(ConnectionsQuery), apiVersion: "2019-04-01");
        Assert.Equal(400, status);
        Assert.Equal("InvalidApiVersionParameter", (string?)body!["error"]!["code"]);

        var (missing, missingBody, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, ResourceGraphApi.Path, sandbox.Host.Info.AccessToken,
            new StringContent(Body(ConnectionsQuery).ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(400, missing);
        Assert.Equal("MissingApiVersionParameter", (string?)missingBody!["error"]!["code"]);
    }

    [Theory]
    [InlineData("resources | summarize count() by type")]
    [InlineData("resources | where typo =~ 'microsoft.web/connections'")]
    [InlineData("resources | where type =~ 'microsoft.web/connections")]
    [InlineData("nosuchtable | take 1")]
    [InlineData("resources | where type =~ 'x' |")]
    public async Task InvalidQueriesAreBadRequestWithInvalidQueryDetails(string query)
    {
        var (status, body, _) = await QueryAsync(Body(query));

        Assert.Equal(400, status);
        var error = body!["error"]!;
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Equal(ResourceGraphApi.InvalidQueryMessage, (string?)error["message"]);
        var detail = error["details"]!.AsArray().Single()!;
        Assert.Equal("InvalidQuery", (string?)detail["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)detail["message"]));
    }

    [Fact]
    public async Task TokensAreCheckedLikeArm()
    {
        var (missing, missingBody, _) = await QueryAsync(sandbox.Client, null, Body(ConnectionsQuery));
        Assert.Equal(401, missing);
        Assert.Equal("InvalidAuthenticationToken", (string?)missingBody!["error"]!["code"]);

        var expired = sandbox.Host.IssueToken("admin", lifetime: TimeSpan.FromMinutes(-5));
        var (status, body, _) = await QueryAsync(sandbox.Client, expired, Body(ConnectionsQuery));
        Assert.Equal(401, status);
        Assert.Equal("ExpiredAuthenticationToken", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task WithoutScopesEverySubscriptionOfTheTokensTenantIsSearched()
    {
        var (_, containers, _) = await QueryAsync(Body("resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId"));
        var (_, resources, _) = await QueryAsync(Body(ConnectionsQuery));

        Assert.Equal([Contoso.SubscriptionId, Contoso.DevTestSubscriptionId], containers!["data"]!.AsArray().Select(r => (string)r!["subscriptionId"]!).Order().ToArray());
        Assert.Equal(StoredConnections(), (int)resources!["totalRecords"]!);
    }

    [Fact]
    public async Task AResourceWrittenOrRemovedAfterAQueryIsSeenByTheNextQuery()
    {
        const string query = "resources | where type =~ 'microsoft.web/connections' and name startswith 'zz-' | order by id asc";
        var id = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-integration/providers/Microsoft.Web/connections/zz-added";
        var (_, before, _) = await QueryAsync(Body(query));
        Assert.Equal(0, (int)before!["totalRecords"]!);

        sandbox.Host.State.Store.Put(new JsonObject { ["id"] = id, ["name"] = "zz-added", ["type"] = "Microsoft.Web/connections", ["location"] = "westeurope", ["properties"] = new JsonObject() });
        var (_, added, _) = await QueryAsync(Body(query));
        Assert.Equal(id, (string?)added!["data"]![0]!["id"]);

        sandbox.Host.State.Store.Remove(id);
        var (_, removed, _) = await QueryAsync(Body(query));
        Assert.Equal(0, (int)removed!["totalRecords"]!);
    }

    [Fact]
    public async Task ExplicitSubscriptionsLimitTheRows()
    {
        var (_, dev, _) = await QueryAsync(Body(ConnectionsQuery, subscriptions: [Contoso.DevTestSubscriptionId]));
        var (_, prod, _) = await QueryAsync(Body("resourcecontainers | project subscriptionId", subscriptions: [Contoso.SubscriptionId]));

        Assert.Equal(0, (int)dev!["totalRecords"]!);
        Assert.All(prod!["data"]!.AsArray(), r => Assert.Equal(Contoso.SubscriptionId, (string?)r!["subscriptionId"]));
        Assert.Equal(4, (int)prod["totalRecords"]!); // the subscription and its three resource groups
    }

    [Fact]
    public async Task ManagementGroupScopeCoversItsSubscriptions()
    {
        var (status, body, _) = await QueryAsync(Body("resourcecontainers | where type =~ 'Microsoft.Resources/subscriptions'", managementGroups: ["mg-contoso"]));

        Assert.Equal(200, status);
        var rows = body!["data"]!.AsArray();
        Assert.Equal([Contoso.SubscriptionId, Contoso.DevTestSubscriptionId], rows.Select(r => (string)r!["subscriptionId"]!).Order().ToArray());
        Assert.All(rows, r => Assert.Equal("mg-contoso", (string?)r!["properties"]!["managementGroupAncestorsChain"]![0]!["name"]));
    }

    [Fact]
    public async Task UnknownOrForeignManagementGroupIsAuthorizationFailed()
    {
        var (unknown, unknownBody, _) = await QueryAsync(Body(ConnectionsQuery, managementGroups: ["mg-nope"]));
        var (foreign, _, _) = await QueryAsync(Body(ConnectionsQuery, managementGroups: ["mg-contoso"]), "fabrikam-admin");

        Assert.Equal(403, unknown);
        Assert.Equal("AuthorizationFailed", (string?)unknownBody!["error"]!["code"]);
        Assert.Equal(403, foreign);
    }

    [Fact]
    public async Task RowsOfSubscriptionsWithoutReadAreSilentlyLeftOut()
    {
        var query = "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId";
        var (readerStatus, reader, _) = await QueryAsync(Body(query, subscriptions: [Contoso.SubscriptionId, Contoso.DevTestSubscriptionId]), "reader");
        var (_, readerConnections, _) = await QueryAsync(Body(ConnectionsQuery), "reader");
        var (noroleStatus, norole, _) = await QueryAsync(Body(ConnectionsQuery), "norole");
        var (_, fabrikam, _) = await QueryAsync(Body(query, subscriptions: [Contoso.SubscriptionId, Contoso.FabrikamSubscriptionId]), "fabrikam-admin");

        Assert.Equal(200, readerStatus);
        Assert.Equal([Contoso.SubscriptionId], reader!["data"]!.AsArray().Select(r => (string)r!["subscriptionId"]!).ToArray());
        Assert.Equal(StoredConnections(Contoso.SubscriptionId), (int)readerConnections!["totalRecords"]!);
        Assert.Equal(200, noroleStatus);
        Assert.Equal(0, (int)norole!["totalRecords"]!);
        Assert.Empty(norole["data"]!.AsArray());
        Assert.Equal([Contoso.FabrikamSubscriptionId], fabrikam!["data"]!.AsArray().Select(r => (string)r!["subscriptionId"]!).ToArray());
    }

    [Fact]
    public async Task TopAndSkipPageTheResult()
    {
        var total = StoredConnections();
        var (_, first, _) = await QueryAsync(Body(ConnectionsQuery + " | order by name asc", options: new JsonObject { ["$top"] = 5 }));
        var (_, again, _) = await QueryAsync(Body(ConnectionsQuery + " | order by name asc", options: new JsonObject { ["$top"] = 5 }));
        var (_, skipped, _) = await QueryAsync(Body(ConnectionsQuery + " | order by name asc", options: new JsonObject { ["$top"] = 5, ["$skip"] = 5 }));
        var (_, second, _) = await QueryAsync(Body(ConnectionsQuery + " | order by name asc",
            options: new JsonObject { ["$top"] = 5, ["$skipToken"] = (string?)first!["$skipToken"] }));

        Assert.Equal(5, (int)first["count"]!);
        Assert.Equal(total, (int)first["totalRecords"]!);
        Assert.NotNull((string?)first["$skipToken"]);
        Assert.Equal((string?)first["$skipToken"], (string?)again!["$skipToken"]);
        Assert.True(JsonNode.DeepEquals(skipped!["data"], second!["data"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task TopOutsideOneToThousandIsBadRequest(int top)
    {
        var (status, body, _) = await QueryAsync(Body(ConnectionsQuery, options: new JsonObject { ["$top"] = top }));

        Assert.Equal(400, status);
        Assert.Equal("BadRequest", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task SkipTokenOfAnotherQueryIsRejected()
    {
        var (_, first, _) = await QueryAsync(Body(ConnectionsQuery, options: new JsonObject { ["$top"] = 2 }));

        var (status, _, _) = await QueryAsync(Body("resources | where type =~ 'microsoft.logic/workflows'",
            options: new JsonObject { ["$top"] = 2, ["$skipToken"] = (string?)first!["$skipToken"] }));

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task PagingAtPageSizeOneReturnsEveryRowExactlyOnce()
    {
        await using var host = await StartAsync(new SandboxOptions { PageSize = 1, ResourceGraphQuota = 10_000 });
        using var client = host.CreateClient();
        var token = host.Info.AccessToken;
        var ids = new List<string>();
        string? skipToken = null;
        var pages = 0;
        int total;
        do
        {
            var options = new JsonObject { ["$top"] = 1000 };
            if (skipToken is not null)
            {
                options["$skipToken"] = skipToken;
            }

            var (status, body, _) = await QueryAsync(client, token, Body("resources | where type =~ 'microsoft.web/connections' or type =~ 'microsoft.logic/workflows' | project id", options: options));
            Assert.Equal(200, status);
            Assert.Equal(1, (int)body!["count"]!);
            total = (int)body["totalRecords"]!;
            ids.Add((string)body["data"]![0]!["id"]!);
            skipToken = (string?)body["$skipToken"];
            pages++;
        }
        while (skipToken is not null);

        var expected = host.Scenario.Resources
            .Where(r => (string?)r["type"] is "Microsoft.Web/connections" or "Microsoft.Logic/workflows")
            .Select(r => (string)r["id"]!).ToList();
        Assert.Equal(expected.Count, total);
        Assert.Equal(expected.Count, pages);
        Assert.Equal(expected.Order(StringComparer.OrdinalIgnoreCase), ids.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task QuotaHeadersCountDownAndThrottleWith429()
    {
        await using var host = await StartAsync(new SandboxOptions { ResourceGraphQuota = 3 });
        using var client = host.CreateClient();
        var token = host.Info.AccessToken;

        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (status, _, response) = await QueryAsync(client, token, Body(ConnectionsQuery));
            Assert.Equal(200, status);
            remaining.Add(response.Headers.GetValues(ResourceGraphApi.QuotaRemainingHeader).Single());
            Assert.Matches(@"^00:00:0[0-5]$", response.Headers.GetValues(ResourceGraphApi.QuotaResetsAfterHeader).Single());
        }

        var (throttled, body, throttledResponse) = await QueryAsync(client, token, Body(ConnectionsQuery));
        var (other, _, _) = await QueryAsync(client, host.IssueToken("reader"), Body(ConnectionsQuery));

        Assert.Equal(["2", "1", "0"], remaining);
        Assert.Equal(429, throttled);
        Assert.Equal("RateLimiting", (string?)body!["error"]!["code"]);
        Assert.Equal("0", throttledResponse.Headers.GetValues(ResourceGraphApi.QuotaRemainingHeader).Single());
        Assert.Matches(@"^00:00:0[0-5]$", throttledResponse.Headers.GetValues(ResourceGraphApi.QuotaResetsAfterHeader).Single());
        var retryAfter = throttledResponse.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter.TotalSeconds, 1, 5);
        Assert.Equal(200, other);
    }

    [Fact]
    public async Task QuotaWindowResets()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var quota = new ResourceGraphQuota(2, clock);

        Assert.True(quota.TryConsume("a").Allowed);
        Assert.True(quota.TryConsume("a").Allowed);
        clock.Advance(TimeSpan.FromSeconds(4));
        var (allowed, remaining, resetsAfter) = quota.TryConsume("a");
        Assert.False(allowed);
        Assert.Equal(0, remaining);
        Assert.Equal("00:00:01", ResourceGraphQuota.Format(resetsAfter));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((true, 1), (quota.TryConsume("a").Allowed, quota.TryConsume("b").Remaining));
        await Task.CompletedTask;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    [Fact]
    public async Task DisabledKnobAnswersAuthorizationFailed()
    {
        await using var host = await StartAsync(new SandboxOptions { ResourceGraphDisabled = true });
        using var client = host.CreateClient();
        var admin = host.Info.Principals["admin"];

        var (status, body, _) = await QueryAsync(client, host.Info.AccessToken, Body(ConnectionsQuery));

        Assert.Equal(403, status);
        Assert.Equal("AuthorizationFailed", (string?)body!["error"]!["code"]);
        Assert.StartsWith(
            $"The client '{admin.ClientId}' with object id '{admin.ObjectId}' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/providers/Microsoft.ResourceGraph/resources'",
            (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task LatencyAppliesToResourceGraph()
    {
        await using var host = await StartAsync(new SandboxOptions { LatencyMs = 300 });
        using var client = host.CreateClient();
        await QueryAsync(client, host.Info.AccessToken, Body(ConnectionsQuery)); // warm up

        var watch = Stopwatch.StartNew();
        var (status, _, _) = await QueryAsync(client, host.Info.AccessToken, Body(ConnectionsQuery));

        Assert.Equal(200, status);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void CommandLineKnobs()
    {
        var options = CommandLine.Parse(["--ready-file", "r.json", "--resource-graph-quota", "60", "--resource-graph-disabled", "--generate", "subscriptions=2,connections=20"]);

        Assert.Equal(60, options.ResourceGraphQuota);
        Assert.True(options.ResourceGraphDisabled);
        Assert.Equal("subscriptions=2,connections=20", options.Generate);
        Assert.Equal(15, CommandLine.Parse(["--ready-file", "r.json"]).ResourceGraphQuota);
    }
}
