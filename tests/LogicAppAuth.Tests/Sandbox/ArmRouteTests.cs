using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Hosting;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class ArmRouteTests(SandboxHttpFixture sandbox) : IClassFixture<SandboxHttpFixture>
{
    private string Token => sandbox.Host.Info.AccessToken;

    [Fact]
    public async Task PagingAtPageSizeOneFollowsNextLinksToEveryConnection()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { PageSize = 1, CertificateDirectory = Path.Combine(Path.GetTempPath(), "laa-sbx-" + Guid.NewGuid()) });
        using var client = host.CreateClient();
        var names = new List<string>();
        string? url = Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections?api-version=2016-06-01";
        var pages = 0;
        while (url is not null)
        {
            var (status, body, _) = await SandboxHttpFixture.GetAsync(client, url, host.Info.AccessToken);
            Assert.Equal(200, status);
            Assert.Single(body!["value"]!.AsArray());
            names.Add((string)body["value"]![0]!["name"]!);
            url = (string?)body["nextLink"];
            Assert.True(url is null || url.StartsWith(host.Info.Endpoint + "/", StringComparison.Ordinal));
            pages++;
        }

        var expected = host.Scenario.Resources.Count(r =>
            (string?)r["type"] == "Microsoft.Web/connections" && ((string)r["id"]!).Contains("/rg-integration/", StringComparison.Ordinal));
        Assert.Equal(expected, pages);
        Assert.Equal(expected, names.Distinct().Count());
    }

    [Fact]
    public async Task MissingResourceGroupIsResourceGroupNotFound()
    {
        foreach (var path in new[]
        {
            $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-missing?api-version=2021-04-01",
            $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-missing/providers/Microsoft.Web/connections?api-version=2016-06-01",
            $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-missing/providers/Microsoft.Logic/workflows/wf?api-version=2019-05-01",
        })
        {
            var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, path, Token);
            Assert.Equal(404, status);
            Assert.Equal("ResourceGroupNotFound", (string?)body!["error"]!["code"]);
            Assert.Equal("Resource group 'rg-missing' could not be found.", (string?)body["error"]!["message"]);
        }
    }

    [Fact]
    public async Task MissingConnectionIsResourceNotFound()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(
            sandbox.Client, Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/office365-deleted?api-version=2016-06-01", Token);

        Assert.Equal(404, status);
        Assert.Equal("ResourceNotFound", (string?)body!["error"]!["code"]);
        Assert.Equal(
            "The Resource 'Microsoft.Web/connections/office365-deleted' under resource group 'rg-integration' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
            (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task PathsAreCaseInsensitiveAndIdsKeepTheirCasing()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/SUBSCRIPTIONS/{Contoso.SubscriptionId}/RESOURCEGROUPS/RG-INTEGRATION/PROVIDERS/MICROSOFT.WEB/CONNECTIONS/OFFICE365-HEALTHY?api-version=2016-06-01", Token);

        Assert.Equal(200, status);
        Assert.Equal(Contoso.IntegrationGroup + "/providers/Microsoft.Web/connections/office365-healthy", (string?)body!["id"]);
    }

    [Fact]
    public async Task ResourceGroupsListAndEmptyGroupHasNoConnections()
    {
        var (_, groups, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"/subscriptions/{Contoso.SubscriptionId}/resourcegroups?api-version=2021-04-01", Token);
        var (status, empty, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-empty/providers/Microsoft.Web/connections?api-version=2016-06-01", Token);

        var names = groups!["value"]!.AsArray().Select(g => (string)g!["name"]!).ToList();
        Assert.Equal(["rg-empty", "rg-integration", "rg-standard"], names);
        Assert.Equal("Microsoft.Resources/resourceGroups", (string?)groups["value"]![0]!["type"]);
        Assert.Equal(200, status);
        Assert.Empty(empty!["value"]!.AsArray());
        Assert.Null(empty["nextLink"]);
    }

    [Fact]
    public async Task StandardAppConnectionsAndAccessPolicies()
    {
        var site = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/sites/la-contoso-std";
        var connections = $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/connections";

        var (status, body, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, site + "/listWorkflowsConnections?api-version=2025-03-01", Token);
        var (_, withPolicy, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, connections + "/office365-v2/accessPolicies?api-version=2016-06-01", Token);
        var (_, withoutPolicy, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, connections + "/sql-v2-nopolicy/accessPolicies?api-version=2016-06-01", Token);
        var (missingStatus, missing, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, connections + "/nope/accessPolicies?api-version=2016-06-01", Token);

        Assert.Equal(200, status);
        Assert.Equal("Microsoft.Web/sites/workflowsconfiguration", (string?)body!["type"]);
        var managed = body["properties"]!["files"]!["connections.json"]!["managedApiConnections"]!.AsObject();
        Assert.Contains("sql", managed.Select(p => p.Key));
        var policy = Assert.Single(withPolicy!["value"]!.AsArray());
        Assert.Equal("ActiveDirectory", (string?)policy!["properties"]!["principal"]!["type"]);
        Assert.Empty(withoutPolicy!["value"]!.AsArray());
        Assert.Equal(404, missingStatus);
        Assert.Equal("ResourceNotFound", (string?)missing!["error"]!["code"]);
    }

    [Fact]
    public async Task WorkflowsAndSitesListByResourceGroup()
    {
        var (_, workflows, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Contoso.IntegrationGroup + "/providers/Microsoft.Logic/workflows?api-version=2019-05-01", Token);
        var (_, sites, _) = await SandboxHttpFixture.GetAsync(sandbox.Client,
            $"/subscriptions/{Contoso.SubscriptionId}/resourceGroups/rg-standard/providers/Microsoft.Web/sites?api-version=2023-12-01", Token);

        Assert.All(workflows!["value"]!.AsArray(), w => Assert.Equal("Microsoft.Logic/workflows", (string?)w!["type"]));
        Assert.True(workflows["value"]!.AsArray().Count >= 10);
        Assert.All(sites!["value"]!.AsArray(), s => Assert.Equal("functionapp,workflowapp", (string?)s!["kind"]));
        Assert.Contains(sites["value"]!.AsArray(), s => (string?)s!["name"] == "la-contoso-std");
    }

    [Fact]
    public async Task RequestLogRecordsArmCallsWithoutSecretsAndSkipsSandboxRoutes()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { CertificateDirectory = Path.Combine(Path.GetTempPath(), "laa-sbx-" + Guid.NewGuid()) });
        using var client = host.CreateClient();
        await SandboxHttpFixture.GetAsync(client, "/subscriptions?api-version=2022-12-01", host.Info.AccessToken);

        var (_, log, _) = await SandboxHttpFixture.GetAsync(client, "/_sandbox/requests", null);

        var entry = Assert.Single(log!.AsArray());
        Assert.Equal("/subscriptions", (string?)entry!["path"]);
        Assert.Equal("?api-version=2022-12-01", (string?)entry["query"]);
        Assert.Equal(200, (int)entry["status"]!);
        Assert.Equal("admin", (string?)entry["principal"]);
        Assert.DoesNotContain(host.Info.AccessToken, log.ToJsonString());
        var (cleared, _, _) = await SandboxHttpFixture.SendAsync(client, HttpMethod.Delete, "/_sandbox/requests", null);
        var (_, empty, _) = await SandboxHttpFixture.GetAsync(client, "/_sandbox/requests", null);
        Assert.Equal(204, cleared);
        Assert.Empty(empty!.AsArray());
    }

    [Fact]
    public async Task SandboxTokenRouteMintsExpiredAndWrongTenantTokens()
    {
        var content = JsonContent.Create(new { principal = "admin", audience = "https://management.azure.com/", lifetimeSeconds = -60, tenantId = Contoso.FabrikamTenantId });
        var (_, minted, _) = await SandboxHttpFixture.SendAsync(sandbox.Client, HttpMethod.Post, "/_sandbox/token", null, content);

        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, "/subscriptions?api-version=2022-12-01", (string?)minted!["access_token"]);

        Assert.Equal(401, status);
        Assert.Equal("ExpiredAuthenticationToken", (string?)body!["error"]!["code"]);
    }

    [Theory]
    [InlineData("/providers/Microsoft.Web/connections/office365-healthy?api-version=2021-04-01", "2018-07-01-preview, 2016-06-01, 2015-08-01-preview")]
    [InlineData("/providers/Microsoft.Logic/workflows/wf-daily-report/runs?api-version=2016-10-01", "2019-05-01, 2018-07-01-preview, 2016-06-01")]
    public async Task RefusesAnApiVersionTheProviderDoesNotRegisterAndNamesTheSupportedOnes(string path, string supported)
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, Contoso.IntegrationGroup + path, Token);

        Assert.Equal(400, status);
        Assert.Equal("NoRegisteredProviderFound", (string?)body!["error"]!["code"]);
        Assert.Contains($"The supported api-versions are '{supported}'", (string?)body["error"]!["message"]);
        Assert.Contains(sandbox.Host.State.Log.RefusedApiVersions, r => r.StartsWith("GET " + Contoso.IntegrationGroup + path[..path.IndexOf('?')], StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServesAResourceProviderWithTheApiVersionsOfItsTypes()
    {
        var (status, body, _) = await SandboxHttpFixture.GetAsync(sandbox.Client, $"/subscriptions/{Contoso.SubscriptionId}/providers/Microsoft.Sql?api-version=2021-04-01", Token);

        Assert.Equal(200, status);
        var servers = body!["resourceTypes"]!.AsArray().Single(t => (string?)t!["resourceType"] == "servers")!;
        Assert.Contains("2023-08-01", servers["apiVersions"]!.AsArray().Select(v => (string?)v));
    }
}
