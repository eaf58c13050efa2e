using LogicAppAuth;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class ConnectorInventoryTests : IClassFixture<ContosoSessionFixture>
{
    private const string Prod = Contoso.SubscriptionId;
    private readonly ContosoSessionFixture _sandbox;

    public ConnectorInventoryTests(ContosoSessionFixture sandbox) => _sandbox = sandbox;

    private async Task<(List<ConnectorStatus> Rows, CollectingSink Sink)> ListGroupAsync(string group, string principal = "admin")
    {
        var sink = new CollectingSink();
        var inventory = new ConnectorInventory(_sandbox.Session(principal), sink, new InventoryOptions());
        await inventory.ListResourceGroupAsync(group, new[] { Prod }, CancellationToken.None);
        return (sink.Objects.Cast<ConnectorStatus>().ToList(), sink);
    }

    [Fact]
    public async Task ListsAResourceGroupWithUsersAndMissingConnections()
    {
        var (rows, _) = await ListGroupAsync("rg-integration");

        Assert.Equal(rows.Count, rows.Select(r => r.ResourceId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("wf-daily-report", rows.Single(r => r.Name == "office365-expired").UsedBy);
        Assert.Equal(0, rows.Single(r => r.Name == "office365-unused").UsedByCount);
        var missing = rows.Single(r => r.Name == "office365-deleted");
        Assert.Equal(ConnectionStatus.NotFound, missing.Status);
        Assert.False(missing.Exists);
    }

    [Fact]
    public async Task CountsStandardAppsAsUsers()
    {
        var (rows, _) = await ListGroupAsync("rg-standard");

        Assert.Contains(rows, r => r.UsedBy.Contains("la-contoso-std") && r.Name == "sql-v2-nopolicy");
        Assert.Contains(rows, r => r.Status == ConnectionStatus.NotFound && r.UsedBy == "la-contoso-std");
    }

    [Fact]
    public async Task ReportsAMissingResourceGroupAsObjectNotFound()
    {
        var error = await Assert.ThrowsAsync<LogicAppAuthException>(() => ListGroupAsync("rg-nope"));
        Assert.Equal(FailureKind.ObjectNotFound, error.Kind);
        Assert.Equal("ResourceGroupNotFound", error.ErrorId);
    }

    [Fact]
    public async Task ReportsAPrincipalWithoutARoleAsPermissionDenied()
    {
        var error = await Assert.ThrowsAsync<LogicAppAuthException>(() => ListGroupAsync("rg-integration", "norole"));
        Assert.Equal(FailureKind.PermissionDenied, error.Kind);
        Assert.Equal("AuthorizationFailed", error.ErrorId);
    }
}
