using LogicAppAuth.Tests.Engine;
using Xunit;

namespace LogicAppAuth.Tests;

/// <summary>The ids in <see cref="Contoso"/> are the ones the running contoso sandbox publishes.</summary>
public sealed class ContosoTests(ContosoSessionFixture sandbox) : IClassFixture<ContosoSessionFixture>
{
    [Fact]
    public void NamesTheHomeTenantAndSubscriptionsOfTheReadyFile()
    {
        var info = sandbox.Host.Info;
        Assert.Equal(Contoso.TenantId, info.TenantId);
        Assert.Equal(Contoso.SubscriptionId, info.Subscriptions.Single(s => s.DisplayName == "Contoso Integration (Prod)").SubscriptionId);
        Assert.Equal(Contoso.DevTestSubscriptionId, info.Subscriptions.Single(s => s.DisplayName == "Contoso Dev/Test").SubscriptionId);
    }

    [Fact]
    public void NamesTheOtherTenantAndItsSubscriptionOfTheScenario()
    {
        var fabrikam = sandbox.Host.Scenario.Subscriptions.Single(s => s.DisplayName == "Fabrikam Shared");
        Assert.Equal(Contoso.FabrikamSubscriptionId, fabrikam.SubscriptionId);
        Assert.Equal(Contoso.FabrikamTenantId, fabrikam.TenantId);
        Assert.Contains(sandbox.Host.Scenario.Tenants, t => t.TenantId == Contoso.FabrikamTenantId && t.DisplayName == "Fabrikam");
    }
}
