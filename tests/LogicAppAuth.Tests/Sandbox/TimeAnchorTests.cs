using System.Globalization;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>Every scenario time is placed relative to the sandbox's anchor, so its relations hold on any day.</summary>
public sealed class TimeAnchorTests
{
    private static readonly DateTimeOffset TimesAsOf = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-20T08:12:33.4521873Z", "2026-11-21T09:12:33.4521873Z")]
    [InlineData("2026-11-18T14:20:11.23", "2026-11-19T15:20:11.23")]
    [InlineData("2025-06-30T08:00:00+02:00", "2025-07-01T09:00:00+02:00")]
    [InlineData("UTC TimeStamp=2026-06-02T06:00:11.0000000Z, Timestamp: 2026-06-02 06:00:11Z", "UTC TimeStamp=2026-06-03T07:00:11.0000000Z, Timestamp: 2026-06-03 07:00:11Z")]
    [InlineData("Found key 'Start=09/15/2024 12:00:00, End=09/15/2025 12:00:00'", "Found key 'Start=09/16/2024 13:00:00, End=09/16/2025 13:00:00'")]
    [InlineData("https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#", "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#")]
    public void ShiftMovesEveryDateTimeAndKeepsItsForm(string written, string served) =>
        Assert.Equal(served, ScenarioTime.Shift(written, TimeSpan.FromHours(25)));

    [Theory]
    [InlineData("2027-03-01T06:00:00Z")]
    [InlineData("2031-08-15T23:30:00Z")]
    public async Task ASandboxStartedAtAnyMomentServesContosoRelativeToIt(string now)
    {
        var anchor = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture);
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Now = anchor, CertificateDirectory = TempFolder() });
        using var client = host.CreateClient();
        var token = host.Info.AccessToken;
        DateTimeOffset Served(string written) => anchor + (DateTimeOffset.Parse(written, CultureInfo.InvariantCulture) - TimesAsOf);

        Assert.Equal(Served("2025-06-30T08:00:00Z"), host.Info.Served("2025-06-30T08:00:00Z"));
        Assert.Equal(anchor, host.Info.TimeAnchor);
        Assert.Equal(TimesAsOf, host.Info.ScenarioTimesAsOf);

        var (_, connection, _) = await SandboxHttpFixture.GetAsync(client, Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/office365-healthy?api-version=2016-06-01", token);
        var changed = Time(connection!["properties"]!["changedTime"]);
        Assert.Equal(Served("2026-11-20T08:12:33.4521873Z"), changed);

        // The relation the expiry estimate relies on: the connection changed after wf-invoice-approval's last good run.
        var (_, runs, _) = await SandboxHttpFixture.GetAsync(client,
            Contoso.IntegrationGroup + "/providers/Microsoft.Logic/workflows/wf-invoice-approval/runs?api-version=2019-05-01&$filter=status eq 'Succeeded'", token);
        var lastGoodRun = runs!["value"]!.AsArray().Max(r => Time(r!["properties"]!["startTime"]));
        Assert.InRange(lastGoodRun, anchor.AddDays(-11), anchor.AddDays(-9));
        Assert.True(changed > lastGoodRun);

        // app-reporting-sql: its secret ends within 30 days.
        var (_, app, _) = await SandboxHttpFixture.GetAsync(client, "/v1.0/applications/e1f2a3b4-0009-4c5d-8e6f-7a8b9c0d1e09", host.Info.MicrosoftGraphAccessToken);
        var ends = Time(app!["passwordCredentials"]![0]!["endDateTime"]);
        Assert.InRange(ends - anchor, TimeSpan.FromDays(1), TimeSpan.FromDays(30));

        var (_, assignments, _) = await SandboxHttpFixture.GetAsync(client,
            $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01", token);
        Assert.All(assignments!["value"]!.AsArray(), a => Assert.True(Time(a!["properties"]!["createdOn"]) < anchor));

        var expires = new JsonWebTokenHandler().ReadJsonWebToken(token).ValidTo;
        Assert.InRange(expires, anchor.UtcDateTime.AddHours(23), anchor.UtcDateTime.AddHours(25));
    }

    [Fact]
    public void TheCommandLineTakesAnAnchor()
    {
        var options = CommandLine.Parse(["--ready-file", "r.json", "--now", "2028-01-02T03:04:05Z"]);
        Assert.Equal(new DateTimeOffset(2028, 1, 2, 3, 4, 5, TimeSpan.Zero), options.Now);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--ready-file", "r.json", "--now", "next tuesday"]));
    }

    private static DateTimeOffset Time(System.Text.Json.Nodes.JsonNode? node) =>
        DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string TempFolder() => Path.Combine(Path.GetTempPath(), "laa-sbx-" + Guid.NewGuid());
}
