using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;
using LogicAppAuth.Sandbox.Scenarios.Generator;
using Xunit;
using Xunit.Abstractions;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>The --generate scenario generator: deterministic, the requested counts, a realistic mix.</summary>
public sealed class ScenarioGeneratorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly DateTime Today = Now.UtcDateTime.Date;

    private static GeneratorOptions Small(int seed = 20_261_129) => new()
    {
        Subscriptions = 3,
        Connections = 600,
        Workflows = 200,
        StandardApps = 20,
        Applications = 40,
        Seed = seed,
        Now = Now,
    };

    private static readonly Scenario Generated = ScenarioGenerator.Generate(Small());

    private static IEnumerable<JsonObject> OfType(Scenario scenario, string type) => scenario.Resources.Where(r => (string?)r["type"] == type);

    private static string Fingerprint(Scenario scenario) => JsonSerializer.Serialize(new
    {
        scenario.Subscriptions,
        scenario.ResourceGroups,
        scenario.RoleAssignments,
        Resources = scenario.Resources.Select(r => r.ToJsonString()),
        scenario.StandardAppConnections,
        StandardApps = scenario.StandardApps.Select(a => new { a.Key, a.Value.AppSettings, Files = a.Value.Files.Select(f => new { f.Key, Text = f.Value.ToJsonString() }) }),
        scenario.AccessKeys,
        Users = scenario.Graph.Users.Select(u => u.ToJsonString()),
        Applications = scenario.Graph.Applications.Select(a => a.ToJsonString()),
        ServicePrincipals = scenario.Graph.ServicePrincipals.Select(s => s.ToJsonString()),
    });

    [Fact]
    public void TheSameOptionsGiveTheSameScenario()
    {
        var again = ScenarioGenerator.Generate(Small());
        var other = ScenarioGenerator.Generate(Small(seed: 7));

        Assert.Equal(Fingerprint(Generated), Fingerprint(again));
        Assert.NotEqual(Fingerprint(Generated), Fingerprint(other));
    }

    [Fact]
    public void ParsesTheCommandLineSpecification()
    {
        var options = GeneratorOptions.Parse("subscriptions=10,connections=10000,workflows=3000,standardApps=200");

        Assert.Equal((10, 10_000, 3_000, 200), (options.Subscriptions, options.Connections, options.Workflows, options.StandardApps));
        Assert.Equal(1_000, options.UserCount);
        Assert.Equal(200, options.Applications);
        Assert.Equal(200, options.ServicePrincipalCount);
        Assert.Equal(55, GeneratorOptions.Parse("connections=10,users=55,applications=3,servicePrincipals=2").UserCount);
        Assert.Throws<ArgumentException>(() => GeneratorOptions.Parse("connections=lots"));
        Assert.Throws<ArgumentException>(() => GeneratorOptions.Parse("gizmos=3"));
    }

    [Fact]
    public void CountsMatchTheOptions()
    {
        Assert.Equal(3, Generated.Subscriptions.Count);
        Assert.All(Generated.Subscriptions, s => Assert.Equal(Generated.HomeTenantId, s.TenantId));
        Assert.Single(Generated.Tenants);
        Assert.Equal(600, OfType(Generated, "Microsoft.Web/connections").Count());
        Assert.Equal(200, OfType(Generated, "Microsoft.Logic/workflows").Count());
        Assert.Equal(20, OfType(Generated, "Microsoft.Web/sites").Count());
        Assert.Equal(20, Generated.StandardAppConnections.Count);
        Assert.Equal(60, Generated.Graph.Users.Count);
        Assert.Equal(40, Generated.Graph.Applications.Count(a => ((string)a["displayName"]!).StartsWith("app-logic-gen-", StringComparison.Ordinal)));
        Assert.All(Generated.Subscriptions, s => Assert.InRange(Generated.ResourceGroups.Count(g => g.SubscriptionId == s.SubscriptionId), 3, 5));
        Assert.Equal(Generated.Resources.Count, Generated.Resources.Select(r => ((string)r["id"]!).ToLowerInvariant()).Distinct().Count());
    }

    [Fact]
    public void HasTheContosoPrincipalsAndRoles()
    {
        foreach (var name in ScenarioGenerator.BasePrincipals)
        {
            Assert.NotNull(Generated.FindPrincipalByName(name));
        }

        var admin = Generated.FindPrincipalByName("admin")!;
        var reader = Generated.FindPrincipalByName("reader")!;
        Assert.All(Generated.Subscriptions, s => Assert.Contains(Generated.RoleAssignments,
            a => a.PrincipalId == admin.ObjectId && a.Role == "Owner" && a.Scope == "/subscriptions/" + s.SubscriptionId));
        Assert.Single(Generated.RoleAssignments, a => a.PrincipalId == reader.ObjectId);
        Assert.DoesNotContain(Generated.RoleAssignments, a => a.PrincipalId == Generated.FindPrincipalByName("norole")!.ObjectId);
        Assert.Contains(Generated.Graph.Applications, a => (string?)a["appId"] == admin.AppId);
        Assert.Equal("mg-generated", Generated.ManagementGroups.Single().Name);
    }

    [Fact]
    public void ConnectionsHaveARealisticMix()
    {
        var connections = OfType(Generated, "Microsoft.Web/connections").ToList();
        string Message(JsonObject c) => (string?)c["properties"]!["statuses"]![0]!["error"]?["message"] ?? "";
        string Code(JsonObject c) => (string?)c["properties"]!["statuses"]![0]!["error"]?["code"] ?? "";

        var connected = connections.Count(c => (string?)c["properties"]!["overallStatus"] == "Connected");
        Assert.InRange(connected, connections.Count * 6 / 10, connections.Count * 95 / 100);
        Assert.Contains(connections, c => Code(c) == "Unauthorized" && Message(c).Contains("AADSTS700082", StringComparison.Ordinal));
        Assert.Contains(connections, c => Code(c) == "Unauthorized" && Message(c).Contains("AADSTS50173", StringComparison.Ordinal));
        Assert.Contains(connections, c => Code(c) == "Unauthenticated" && c["properties"]!["authenticatedUser"]!.AsObject().Count == 0);
        Assert.Contains(connections, c => (string?)c["properties"]!["parameterValueSet"]?["name"] == "managedIdentityAuth");
        Assert.Contains(connections, c => (string?)c["kind"] == "V2");
        Assert.Contains(connections, c => (string?)c["kind"] == "V1");

        var appIds = Generated.Graph.Applications.Select(a => (string)a["appId"]!).ToHashSet();
        var servicePrincipal = connections.Where(c => c["properties"]!["nonSecretParameterValues"]!["token:clientId"] is not null).ToList();
        Assert.NotEmpty(servicePrincipal);
        Assert.All(servicePrincipal, c => Assert.Contains((string)c["properties"]!["nonSecretParameterValues"]!["token:clientId"]!, appIds));
        Assert.Contains(servicePrincipal, c => Message(c).Contains("AADSTS7000222", StringComparison.Ordinal));

        var upns = Generated.Graph.Users.Select(u => (string)u["userPrincipalName"]!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var users = connections.Select(c => (string?)c["properties"]!["authenticatedUser"]!["name"]).OfType<string>().ToList();
        Assert.Contains(users, upns.Contains);
        Assert.Contains(users, u => !upns.Contains(u)); // referenced but absent from Graph
        var disabled = Generated.Graph.Users.Where(u => !(bool)u["accountEnabled"]!).Select(u => (string)u["userPrincipalName"]!).ToHashSet();
        Assert.NotEmpty(disabled);
    }

    [Fact]
    public void ApplicationsHaveExpiredAndExpiringCredentials()
    {
        IEnumerable<DateTime> Ends(JsonObject app) => app["passwordCredentials"]!.AsArray().Concat(app["keyCredentials"]!.AsArray())
            .Select(c => DateTime.Parse((string)c!["endDateTime"]!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
        var apps = Generated.Graph.Applications.Where(a => ((string)a["displayName"]!).StartsWith("app-logic-gen-", StringComparison.Ordinal)).ToList();

        Assert.Contains(apps, a => Ends(a).All(e => e < Today));
        Assert.Contains(apps, a => Ends(a).Any(e => e > Today && e < Today.AddDays(30)));
        Assert.Contains(apps, a => a["keyCredentials"]!.AsArray().Count > 0);
        Assert.Contains(apps, a => a["passwordCredentials"]!.AsArray().Count > 0);
    }

    [Fact]
    public void WorkflowsReferenceConnectionsSomeAcrossGroupsAndSomeDangling()
    {
        var connectionIds = OfType(Generated, "Microsoft.Web/connections").Select(c => (string)c["id"]!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var references = OfType(Generated, "Microsoft.Logic/workflows")
            .Select(w => (Workflow: (string)w["id"]!, Ids: w["properties"]!["parameters"]!["$connections"]!["value"]!.AsObject()
                .Select(p => (string)p.Value!["connectionId"]!).ToList()))
            .ToList();

        Assert.All(references, r => Assert.InRange(r.Ids.Count, 1, 3));
        Assert.Contains(references, r => r.Ids.Any(id => !connectionIds.Contains(id)));
        Assert.True(references.SelectMany(r => r.Ids).Count(id => !connectionIds.Contains(id)) < references.Count / 10);
        static string Group(string id) => string.Join('/', id.Split('/').Take(5)).ToLowerInvariant();
        Assert.Contains(references, r => r.Ids.Any(id => Group(id) != Group(r.Workflow)));
    }

    [Fact]
    public void StandardAppsHaveBuiltInConnectionsWhoseSettingsAndTargetsExist()
    {
        var counts = BuiltInCounts(Generated);
        Assert.Equal(20, Generated.StandardApps.Count);
        Assert.True(counts.Total >= 20, $"{counts.Total} built-in connections");
        Assert.Equal(Generated.StandardApps.Count, Generated.StandardAppConnections.Values.Count(c => c["serviceProviderConnections"]!.AsObject().Count > 0));
        Assert.All(Generated.StandardAppConnections, pair =>
        {
            var settings = Generated.StandardApps[pair.Key].AppSettings;
            foreach (var (name, entry) in pair.Value["serviceProviderConnections"]!.AsObject())
            {
                var values = string.Join(" ", entry!["parameterValues"]!.AsObject().Select(p => p.Value).OfType<JsonValue>().Select(v => (string?)v));
                var setting = System.Text.RegularExpressions.Regex.Match(values, @"@appsetting\('([^']+)'\)").Groups[1].Value;
                Assert.True(settings.ContainsKey(setting) || setting == "sql_connectionString", $"{pair.Key}: {name} names {setting}");
            }

            var workflow = Assert.Single(Generated.StandardApps[pair.Key].Files, f => f.Key.EndsWith("/workflow.json", StringComparison.Ordinal)).Value.ToJsonString();
            Assert.All(pair.Value["serviceProviderConnections"]!.AsObject(), e => Assert.Contains($"\"connectionName\":\"{e.Key}\"", workflow, StringComparison.Ordinal));
        });

        var namespaces = OfType(Generated, "Microsoft.ServiceBus/namespaces").Select(n => (string)n["id"]!).ToList();
        Assert.NotEmpty(namespaces);
        Assert.All(namespaces, id => Assert.Contains(id + "/authorizationRules/RootManageSharedAccessKey", Generated.AccessKeys.Keys));
        Assert.All(OfType(Generated, "Microsoft.Storage/storageAccounts"), a => Assert.Contains((string)a["id"]!, Generated.AccessKeys.Keys));

        // The bench size, for Scenarios/README.md.
        var bench = BuiltInCounts(ScenarioGenerator.Generate(new GeneratorOptions { Now = Now }));
        output.WriteLine($"bench: {bench}");
        Assert.True(bench.Rotated > 0 && bench.SasExpired > 0 && bench.Missing > 0 && bench.ManagedIdentityWithoutRole > 0);
    }

    private sealed record BuiltIns(int Total, int KeyCurrent, int Rotated, int SasExpired, int SasValid, int ManagedIdentityWithRole, int ManagedIdentityWithoutRole, int Missing, int Targets);

    private static BuiltIns BuiltInCounts(Scenario scenario)
    {
        int total = 0, current = 0, rotated = 0, expired = 0, valid = 0, withRole = 0, withoutRole = 0, missing = 0;
        foreach (var (siteId, connections) in scenario.StandardAppConnections)
        {
            var settings = scenario.StandardApps[siteId].AppSettings;
            var principal = (string)scenario.Resources.Single(r => string.Equals((string?)r["id"], siteId, StringComparison.OrdinalIgnoreCase))["identity"]!["principalId"]!;
            foreach (var (name, _) in connections["serviceProviderConnections"]!.AsObject())
            {
                total++;
                switch (name)
                {
                    case "serviceBus":
                        var key = settings["serviceBus_connectionString"].Split("SharedAccessKey=")[1];
                        if (scenario.AccessKeys.Values.Any(k => k.Values.Contains(key))) { current++; } else { rotated++; }
                        break;
                    case "AzureBlob" when settings.TryGetValue("AzureBlob_connectionString", out var sas):
                        var end = DateTime.Parse(System.Text.RegularExpressions.Regex.Match(sas, "se=([^&]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture,
                            System.Globalization.DateTimeStyles.AdjustToUniversal);
                        if (end < Now.UtcDateTime) { expired++; } else { valid++; }
                        break;
                    case "AzureBlob":
                        if (scenario.RoleAssignments.Any(a => a.PrincipalId == principal && a.Role == "Storage Blob Data Contributor")) { withRole++; } else { withoutRole++; }
                        break;
                    default:
                        missing++;
                        break;
                }
            }
        }

        return new BuiltIns(total, current, rotated, expired, valid, withRole, withoutRole, missing,
            scenario.Resources.Count(r => (string?)r["type"] is "Microsoft.ServiceBus/namespaces" or "Microsoft.Storage/storageAccounts"));
    }

    [Fact]
    public void StandardAppsListV2ConnectionsInConnectionsJson()
    {
        var connections = OfType(Generated, "Microsoft.Web/connections").ToDictionary(c => (string)c["id"]!, StringComparer.OrdinalIgnoreCase);
        var sites = OfType(Generated, "Microsoft.Web/sites").ToList();

        Assert.All(sites, s => Assert.Equal("functionapp,workflowapp", (string?)s["kind"]));
        var referenced = Generated.StandardAppConnections.Values
            .SelectMany(c => c["managedApiConnections"]!.AsObject().Select(p => (string)p.Value!["connection"]!["id"]!)).ToList();
        Assert.All(referenced.Where(connections.ContainsKey), id => Assert.Equal("V2", (string?)connections[id]["kind"]));
        Assert.Contains(OfType(Generated, "Microsoft.Web/connections/accessPolicies"), p => true);
    }

    [Fact]
    public async Task GeneratedSandboxServesResourceGraphWithRbacOmission()
    {
        await using var host = await ResourceGraphApiTests.StartAsync(new SandboxOptions
        {
            Generate = "subscriptions=3,connections=300,workflows=90,standardApps=10,applications=20",
            ResourceGraphQuota = 1_000,
        });
        using var client = host.CreateClient();
        var first = host.Scenario.Subscriptions[0].SubscriptionId;
        const string query = "resources | where type =~ 'microsoft.web/connections' | project id, subscriptionId";

        var (_, admin, _) = await ResourceGraphApiTests.QueryAsync(client, host.IssueToken("admin"), ResourceGraphApiTests.Body(query));
        var (_, reader, _) = await ResourceGraphApiTests.QueryAsync(client, host.IssueToken("reader"), ResourceGraphApiTests.Body(query));
        var (_, group, _) = await ResourceGraphApiTests.QueryAsync(client, host.IssueToken("admin"),
            ResourceGraphApiTests.Body(query + " | count", managementGroups: ["mg-generated"]));

        Assert.Equal(300, (int)admin!["totalRecords"]!);
        Assert.Equal(300, (int)group!["data"]![0]!["Count"]!);
        var inFirst = host.Scenario.Resources.Count(r => (string?)r["type"] == "Microsoft.Web/connections" && ((string)r["id"]!).Contains(first, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(inFirst, (int)reader!["totalRecords"]!);
        Assert.InRange(inFirst, 1, 299);
        Assert.Equal(3, host.Info.Subscriptions.Count);
        Assert.Contains("admin", host.Info.Principals.Keys);
    }

    [Fact]
    public async Task BenchSizeStartsQuicklyInLittleMemoryAndPagesThroughResourceGraph()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        await using var host = await ResourceGraphApiTests.StartAsync(new SandboxOptions
        {
            Generate = "subscriptions=10,connections=10000,workflows=3000,standardApps=200",
            ResourceGraphQuota = 1_000,
        });
        var started = watch.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"started in {started.TotalMilliseconds:0} ms; managed heap grew by {(after - before) / 1024 / 1024} MB");
        Assert.True(started < TimeSpan.FromSeconds(45), $"start took {started}"); // a few seconds on an idle machine; generous for loaded CI
        Assert.True(after - before < 400L * 1024 * 1024, $"heap grew by {(after - before) / 1024 / 1024} MB");

        using var client = host.CreateClient();
        var token = host.Info.AccessToken;
        string? skipToken = null;
        var rows = 0;
        var pages = 0;
        watch.Restart();
        do
        {
            var options = new JsonObject { ["$top"] = 1000 };
            if (skipToken is not null)
            {
                options["$skipToken"] = skipToken;
            }

            var (status, body, _) = await ResourceGraphApiTests.QueryAsync(client, token,
                ResourceGraphApiTests.Body("resources | where type =~ 'microsoft.web/connections' | order by id asc", options: options));
            Assert.Equal(200, status);
            rows += body!["data"]!.AsArray().Count;
            skipToken = (string?)body["$skipToken"];
            pages++;
        }
        while (skipToken is not null);

        output.WriteLine($"10 pages of 1000 connections in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(10_000, rows);
        Assert.Equal(10, pages);
        Assert.Equal(10, host.Info.Subscriptions.Count);
    }
}
