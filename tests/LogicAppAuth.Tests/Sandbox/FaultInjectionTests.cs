using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Faults;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.ResourceGraph;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>The --faults knob: which requests are hit, how, that a retry gets through, and the request log's fault field.</summary>
public sealed class FaultInjectionTests
{
    private const string SubscriptionsUrl = "/subscriptions?api-version=2022-12-01";
    private const string ConnectionsUrl = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections?api-version=2016-06-01";

    private static async Task<SandboxHost> StartAsync(string faults, int seed = 1, int slowMs = 3000) =>
        await SandboxHost.StartAsync(new SandboxOptions
        {
            Faults = faults,
            FaultSeed = seed,
            FaultSlowMs = slowMs,
            ResourceGraphQuota = 100_000,
            CertificateDirectory = Path.Combine(Path.GetTempPath(), "laa-sandbox-faults-" + Guid.NewGuid()),
        });

    /// <summary>GETs the URLs in turn, <paramref name="rounds"/> times; the statuses in order.</summary>
    private static async Task<List<(string Url, int Status, HttpResponseMessage Response)>> GetManyAsync(SandboxHost host, int rounds, params string[] urls)
    {
        using var client = host.CreateClient();
        var token = host.IssueToken("admin");
        var results = new List<(string, int, HttpResponseMessage)>();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var url in urls)
            {
                var (status, _, response) = await SandboxHttpFixture.GetAsync(client, url, token);
                results.Add((url, status, response));
            }
        }

        return results;
    }

    [Fact]
    public void CommandLineReadsTheFaultKnobs()
    {
        var options = CommandLine.Parse(["--ready-file", "r.json", "--faults", "throttle,resets", "--fault-seed", "42", "--fault-slow-ms", "500"]);

        Assert.Equal("throttle,resets", options.Faults);
        Assert.Equal(42, options.FaultSeed);
        Assert.Equal(500, options.FaultSlowMs);
        Assert.Equal(FaultProfiles.Throttle | FaultProfiles.Resets, FaultProfileNames.Parse(options.Faults));

        var defaults = CommandLine.Parse(["--ready-file", "r.json"]);
        Assert.Null(defaults.Faults);
        Assert.Equal(1, defaults.FaultSeed);
        Assert.Equal(3000, defaults.FaultSlowMs);

        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--ready-file", "r.json", "--faults", "throttle,floods"]));
        Assert.Contains("floods", error.Message);
    }

    [Fact]
    public async Task ThrottleAnswers429WithRetryAfterInBothFormsAndNeverTwiceInARow()
    {
        await using var host = await StartAsync("throttle");
        var results = await GetManyAsync(host, 30, SubscriptionsUrl, ConnectionsUrl);

        var throttled = results.Where(r => r.Status == 429).ToList();
        Assert.InRange(throttled.Count, 60 / 9, 60 / 5 + 1);
        Assert.All(results, r => Assert.True(r.Status is 200 or 429, $"{r.Url}: {r.Status}"));
        var retryAfter = throttled.Select(r => r.Response.Headers.RetryAfter!).ToList();
        Assert.Contains(retryAfter, h => h.Delta == TimeSpan.FromSeconds(1));
        Assert.Contains(retryAfter, h => h.Date is not null);

        // The request after a 429 of the same URL is never throttled again.
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Status == 429)
            {
                var sameUrlNext = results.Skip(i + 1).FirstOrDefault(r => r.Url == results[i].Url);
                Assert.True(sameUrlNext.Url is null || sameUrlNext.Status == 200);
            }
        }

        var log = host.State.Log.Snapshot().Where(e => e.Path.StartsWith("/subscriptions", StringComparison.Ordinal)).ToList();
        Assert.Equal(throttled.Count, log.Count(e => e.Fault == "429" && e.Status == 429));
        Assert.All(log.Where(e => e.Status == 200), e => Assert.Null(e.Fault));
    }

    [Fact]
    public async Task ServerErrorsGo500502503504InTurnWithAnArmErrorEnvelope()
    {
        await using var host = await StartAsync("server-errors");
        using var client = host.CreateClient();
        var token = host.IssueToken("admin");
        var failures = new List<(int Status, JsonNode? Body)>();
        for (var i = 0; i < 60; i++)
        {
            var (status, body, _) = await SandboxHttpFixture.GetAsync(client, i % 2 == 0 ? SubscriptionsUrl : ConnectionsUrl, token);
            if (status != 200)
            {
                failures.Add((status, body));
            }
        }

        Assert.True(failures.Count >= 6, $"{failures.Count} server errors");
        Assert.Equal([500, 502, 503, 504, 500, 502], failures.Take(6).Select(f => f.Status));
        Assert.Equal(["InternalServerError", "BadGateway", "ServiceUnavailable", "GatewayTimeout"], failures.Take(4).Select(f => (string?)f.Body!["error"]!["code"]));
        Assert.All(failures, f => Assert.False(string.IsNullOrEmpty((string?)f.Body!["error"]!["message"])));
        Assert.Equal(failures.Count, host.State.Log.Snapshot().Count(e => e.Fault == e.Status.ToString() && e.Status >= 500));
    }

    [Fact]
    public async Task ResetsCutAGetOffMidBodyAndTheRetryGetsItWhole()
    {
        await using var host = await StartAsync("resets");
        using var client = host.CreateClient();
        var token = host.IssueToken("admin");
        var resets = 0;
        for (var i = 0; i < 30; i++)
        {
            try
            {
                var (status, body, _) = await SandboxHttpFixture.GetAsync(client, ConnectionsUrl, token);
                Assert.Equal(200, status);
                Assert.NotNull(body!["value"]);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                resets++;
            }
        }

        Assert.InRange(resets, 2, 6);
        var log = host.State.Log.Snapshot();
        Assert.Equal(resets, log.Count(e => e.Fault == "reset"));
        for (var i = 1; i < log.Count; i++)
        {
            Assert.False(log[i].Fault == "reset" && log[i - 1].Fault == "reset", "two resets in a row for the same URL");
        }
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameFaultsAndAnotherSeedOthers()
    {
        async Task<string> StatusesAsync(int seed)
        {
            await using var host = await StartAsync("throttle,server-errors", seed);
            var results = await GetManyAsync(host, 20, SubscriptionsUrl, ConnectionsUrl);
            return string.Join(",", results.Select(r => r.Status));
        }

        var first = await StatusesAsync(7);
        Assert.Equal(first, await StatusesAsync(7));
        Assert.NotEqual(first, await StatusesAsync(8));
    }

    [Fact]
    public async Task SandboxRoutesAndTheTokenEndpointAreNeverFaulted()
    {
        await using var host = await StartAsync("throttle,server-errors,resets");
        using var client = host.CreateClient();
        var admin = host.Info.Principals["admin"];
        for (var i = 0; i < 40; i++)
        {
            var (status, _, _) = await SandboxHttpFixture.GetAsync(client, "/_sandbox/requests", null);
            Assert.Equal(200, status);
            var (tokenStatus, _, _) = await PostTokenAsync(client, admin);
            Assert.Equal(200, tokenStatus);
        }

        Assert.All(host.State.Log.Snapshot(), e => Assert.Null(e.Fault));
    }

    [Fact]
    public async Task ShortTokensLiveFiveSecondsAndTheTokenRequestsAreMarked()
    {
        await using var host = await StartAsync("short-tokens");
        using var client = host.CreateClient();
        var (status, body, _) = await PostTokenAsync(client, host.Info.Principals["admin"]);

        Assert.Equal(200, status);
        Assert.Equal(FaultInjector.ShortTokenLifetimeSeconds - 1, (int)body!["expires_in"]!);
        Assert.Equal("short-token", Assert.Single(host.State.Log.Snapshot()).Fault);

        // ARM routes are left alone by this profile.
        var (armStatus, _, _) = await SandboxHttpFixture.GetAsync(client, SubscriptionsUrl, (string)body["access_token"]!);
        Assert.Equal(200, armStatus);
        Assert.Null(host.State.Log.Snapshot().Last().Fault);
    }

    [Fact]
    public async Task ArgQuotaSaysTheQuotaIsSpentOnEveryResourceGraphAnswer()
    {
        await using var host = await StartAsync("arg-quota");
        using var client = host.CreateClient();
        var token = host.IssueToken("admin");
        for (var i = 0; i < 3; i++)
        {
            var body = new JsonObject { ["query"] = "resources | limit 1", ["subscriptions"] = new JsonArray(Contoso.SubscriptionId) };
            var (status, _, response) = await SandboxHttpFixture.SendAsync(client, HttpMethod.Post, $"{ResourceGraphApi.Path}?api-version=2021-03-01", token,
                new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.Equal(200, status);
            Assert.Equal("0", response.Headers.GetValues(ResourceGraphApi.QuotaRemainingHeader).Single());
            Assert.Equal("00:00:01", response.Headers.GetValues(ResourceGraphApi.QuotaResetsAfterHeader).Single());
        }

        Assert.Equal(3, host.State.Log.Snapshot().Count(e => e.Fault == "arg-quota"));
    }

    [Fact]
    public async Task SlowHoldsAboutEveryEleventhRequest()
    {
        await using var host = await StartAsync("slow", slowMs: 400);
        using var client = host.CreateClient();
        var token = host.IssueToken("admin");
        var slow = 0;
        for (var i = 0; i < 24; i++)
        {
            var watch = Stopwatch.StartNew();
            var (status, _, _) = await SandboxHttpFixture.GetAsync(client, SubscriptionsUrl, token);
            Assert.Equal(200, status);
            if (watch.ElapsedMilliseconds >= 390)
            {
                slow++;
            }
        }

        var marked = host.State.Log.Snapshot().Count(e => e.Fault == "slow");
        Assert.InRange(marked, 1, 3);
        Assert.True(slow >= marked, $"{slow} slow answers, {marked} marked");
    }

    private static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostTokenAsync(HttpClient client, ReadyPrincipal admin) =>
        SandboxHttpFixture.SendAsync(client, HttpMethod.Post, $"/{admin.TenantId}/oauth2/v2.0/token", null, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = admin.ClientId,
            ["client_secret"] = admin.ClientSecret,
            ["scope"] = "https://management.azure.com/.default",
            ["grant_type"] = "client_credentials",
        }));
}
