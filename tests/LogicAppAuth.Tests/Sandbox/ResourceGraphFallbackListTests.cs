using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

/// <summary>
/// The ARM lists the module falls back to when Resource Graph is refused: subscription-wide
/// <c>GET /subscriptions/{s}/providers/{namespace}/{type}</c> across all resource groups, paged with nextLink.
/// </summary>
public sealed class ResourceGraphFallbackListTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    [Theory]
    [InlineData("Microsoft.Web/connections", "2016-06-01")]
    [InlineData("Microsoft.Logic/workflows", "2019-05-01")]
    [InlineData("Microsoft.Web/sites", "2023-12-01")]
    public async Task SubscriptionWideListSpansEveryResourceGroup(string type, string apiVersion)
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/subscriptions/{Contoso.SubscriptionId}/providers/{type}?api-version={apiVersion}", sandbox.Host.Info.AccessToken);

        Assert.Equal(200, status);
        var expected = sandbox.Host.Scenario.Resources
            .Where(r => (string?)r["type"] == type && ((string)r["id"]!).StartsWith($"/subscriptions/{Contoso.SubscriptionId}/", StringComparison.OrdinalIgnoreCase))
            .Select(r => (string)r["id"]!).Order(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, body!["value"]!.AsArray().Select(v => (string)v!["id"]!).ToList());
        Assert.All(body["value"]!.AsArray(), v => Assert.Equal(type, (string?)v!["type"]));
    }

    [Fact]
    public async Task SubscriptionWideConnectionsIncludeBothResourceGroups()
    {
        var (_, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Web/connections?api-version=2016-06-01", sandbox.Host.Info.AccessToken);

        var groups = body!["value"]!.AsArray().Select(v => ((string)v!["id"]!).Split('/')[4]).Distinct().Order().ToArray();
        Assert.Equal(["rg-integration", "rg-standard"], groups);
    }

    [Fact]
    public async Task SubscriptionWideListPagesWithNextLink()
    {
        await using var host = await ResourceGraphApiTests.StartAsync(new SandboxOptions { PageSize = 4 });
        using var client = host.CreateClient();
        string? url = $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Web/connections?api-version=2016-06-01";
        var ids = new List<string>();
        while (url is not null)
        {
            var (status, body, _) = await SandboxHttpFixture.GetAsync(client, url, host.Info.AccessToken);
            Assert.Equal(200, status);
            Assert.InRange(body!["value"]!.AsArray().Count, 1, 4);
            ids.AddRange(body["value"]!.AsArray().Select(v => (string)v!["id"]!));
            url = (string?)body["nextLink"];
        }

        var expected = host.Scenario.Resources.Count(r => (string?)r["type"] == "Microsoft.Web/connections");
        Assert.Equal(expected, ids.Count);
        Assert.Equal(expected, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task SubscriptionWideListNeedsReadOnTheSubscription()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Web/connections?api-version=2016-06-01", sandbox.Host.IssueToken("norole"));

        Assert.Equal(403, status);
        Assert.Equal("AuthorizationFailed", (string?)body!["error"]!["code"]);
    }
}
