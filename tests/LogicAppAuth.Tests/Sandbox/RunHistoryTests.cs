using System.Globalization;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class RunHistoryTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private const string Workflows = Contoso.IntegrationGroup + "/providers/Microsoft.Logic/workflows/";
    private const string Api = "api-version=2019-05-01";

    private string Token => sandbox.Host.Info.AccessToken;

    [Theory]
    [InlineData("status eq 'Failed'")]
    [InlineData("Status eq 'Failed'")]
    public async Task BrokenConnectionWorkflowHasRecentFailedRuns(string filter)
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}&$filter={filter}", Token);

        Assert.Equal(200, status);
        var runs = body!["value"]!.AsArray();
        Assert.Equal(6, runs.Count);
        var newest = runs[0]!;
        Assert.Equal("Microsoft.Logic/workflows/runs", (string?)newest["type"]);
        Assert.Equal("Failed", (string?)newest["properties"]!["status"]);
        Assert.Equal("ActionFailed", (string?)newest["properties"]!["error"]!["code"]);
        Assert.Equal("Microsoft.Logic/workflows/versions", (string?)newest["properties"]!["workflow"]!["type"]);
        Assert.Equal("Recurrence", (string?)newest["properties"]!["trigger"]!["name"]);
        var started = DateTimeOffset.Parse((string)newest["properties"]!["startTime"]!, CultureInfo.InvariantCulture);
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        Assert.True(string.CompareOrdinal((string)runs[0]!["properties"]!["startTime"]!, (string)runs[1]!["properties"]!["startTime"]!) > 0);
    }

    [Fact]
    public async Task StartTimeFilterTopAndNextLink()
    {
        var since = DateTimeOffset.UtcNow.AddDays(-7).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var (_, all, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}", Token);
        var (_, recent, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}&$filter=status eq 'Failed' and startTime ge {since}", Token);
        var (_, page, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}&$top=2", Token);

        Assert.Equal(7, all!["value"]!.AsArray().Count);
        Assert.Equal("Succeeded", (string?)all["value"]![6]!["properties"]!["status"]);
        Assert.Equal(6, recent!["value"]!.AsArray().Count);
        Assert.Equal(2, page!["value"]!.AsArray().Count);
        var next = (string?)page["nextLink"];
        Assert.NotNull(next);
        var (_, second, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, next!, Token);
        Assert.Equal(2, second!["value"]!.AsArray().Count);
        Assert.NotEqual((string?)page["value"]![0]!["name"], (string?)second["value"]![0]!["name"]);
    }

    [Fact]
    public async Task FailedActionCarriesTheConnectorError()
    {
        var (_, runs, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-invoice-approval/runs?{Api}&$filter=status eq 'Failed'&$top=1", Token);
        var runId = (string)runs!["value"]![0]!["id"]!;
        var (status, actions, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{runId}/actions?{Api}&$filter=status eq 'Failed'", Token);
        var (_, allActions, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{runId}/actions?{Api}", Token);

        Assert.Equal(200, status);
        var action = Assert.Single(actions!["value"]!.AsArray())!;
        Assert.Equal("Call_sharepointonline", (string?)action["name"]);
        Assert.Equal("Microsoft.Logic/workflows/runs/actions", (string?)action["type"]);
        Assert.Equal("Unauthorized", (string?)action["properties"]!["code"]);
        Assert.Equal("Unauthorized", (string?)action["properties"]!["error"]!["code"]);
        Assert.Contains("AADSTS50173", (string?)action["properties"]!["error"]!["message"]);
        Assert.Contains(allActions!["value"]!.AsArray(), a => (string?)a!["name"] == "Call_office365" && (string?)a["properties"]!["status"] == "Succeeded");
    }

    [Theory]
    [InlineData("wf-order-queue", "Forbidden")]
    [InlineData("wf-blob-archive", "Unauthorized")]
    [InlineData("wf-hr-onboarding", "Unauthorized")]
    [InlineData("wf-secret-rotation", "Unauthorized")]
    public async Task EachBrokenWorkflowFailsWithItsCode(string workflow, string code)
    {
        var (_, runs, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}{workflow}/runs?{Api}&$filter=status eq 'Failed'&$top=1", Token);
        var runId = (string)runs!["value"]![0]!["id"]!;
        var (_, actions, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{runId}/actions?{Api}&$filter=status eq 'Failed'", Token);

        Assert.Equal(code, (string?)actions!["value"]![0]!["properties"]!["code"]);
    }

    [Theory]
    [InlineData("wf-blob-ingest")]
    [InlineData("wf-guest-digest")]
    public async Task HealthyWorkflowsHaveOnlySucceededRuns(string workflow)
    {
        var (_, failed, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}{workflow}/runs?{Api}&$filter=status eq 'Failed'", Token);
        var (_, all, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}{workflow}/runs?{Api}", Token);

        Assert.Empty(failed!["value"]!.AsArray());
        Assert.All(all!["value"]!.AsArray(), r => Assert.Equal("Succeeded", (string?)r!["properties"]!["status"]));
    }

    [Fact]
    public async Task SingleRunReadsAndBadFiltersAreRefused()
    {
        var (_, runs, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}&$top=1", Token);
        var runId = (string)runs!["value"]![0]!["id"]!;
        var (status, run, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{runId}?{Api}", Token);
        var (bad, error, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-daily-report/runs?{Api}&$filter=foo eq 'bar'", Token);
        var (missing, _, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"{Workflows}wf-nope/runs?{Api}", Token);

        Assert.Equal(200, status);
        Assert.Equal(runId, (string?)run!["id"]);
        Assert.Equal(29, ((string)run["name"]!).Length);
        Assert.Equal(400, bad);
        Assert.NotNull(error!["error"]!["code"]);
        Assert.Equal(404, missing);
    }
}
