using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Scenarios;
using Xunit;

namespace LogicAppAuth.Tests.Sandbox;

public sealed class RbacTests
{
    private const string Principal = "11111111-2222-4333-8444-555555555555";
    private const string Rg = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg";
    private const string Account = Rg + "/providers/Microsoft.Storage/storageAccounts/st";

    private static Rbac With(params (string Role, string Scope)[] assignments)
    {
        var store = new ResourceStore();
        foreach (var (role, scope) in assignments)
        {
            store.Put(ScenarioSeeder.RoleAssignmentDocument(new ScenarioRoleAssignment { PrincipalId = Principal, Role = role, Scope = scope }, DateTimeOffset.UtcNow));
        }

        return new Rbac(store);
    }

    [Fact]
    public void RolesApplyAtTheirScopeAndBelowOnly()
    {
        var rbac = With(("Reader", Rg));

        Assert.True(rbac.IsAllowed(Principal, "Microsoft.Web/connections/read", Rg + "/providers/Microsoft.Web/connections/c"));
        Assert.False(rbac.IsAllowed(Principal, "Microsoft.Web/connections/write", Rg + "/providers/Microsoft.Web/connections/c"));
        Assert.False(rbac.IsAllowed(Principal, "Microsoft.Web/connections/read", Rg + "x/providers/Microsoft.Web/connections/c"));
        Assert.False(rbac.IsAllowed(Principal, "Microsoft.Resources/subscriptions/read", "/subscriptions/" + Contoso.SubscriptionId));
        Assert.True(rbac.HasAnyRoleTouching(Principal, "/subscriptions/" + Contoso.SubscriptionId));
    }

    [Fact]
    public void ContributorCannotAssignRolesButOwnerCan()
    {
        const string action = "Microsoft.Authorization/roleAssignments/write";

        Assert.False(With(("Contributor", Rg)).IsAllowed(Principal, action, Account));
        Assert.True(With(("Owner", Rg)).IsAllowed(Principal, action, Account));
        Assert.True(With(("User Access Administrator", Rg)).IsAllowed(Principal, action, Account));
    }

    [Fact]
    public void DataActionsComeOnlyFromDataRoles()
    {
        const string read = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";

        Assert.True(With(("Storage Blob Data Reader", Account)).IsAllowed(Principal, read, Account + "/blobServices/default/containers/c", dataAction: true));
        Assert.False(With(("Owner", Account)).IsAllowed(Principal, read, Account, dataAction: true));
        Assert.True(With(("Azure Service Bus Data Sender", Rg)).IsAllowed(Principal, "Microsoft.ServiceBus/namespaces/messages/send/action", Rg, dataAction: true));
    }

    [Theory]
    [InlineData("/subscriptions/s/resourceGroups", true, "Microsoft.Resources/subscriptions/resourceGroups")]
    [InlineData("/subscriptions/s/resourceGroups/rg", false, "Microsoft.Resources/subscriptions/resourceGroups")]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections", true, "Microsoft.Web/connections")]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/connections/c/accessPolicies/p", false, "Microsoft.Web/connections/accessPolicies")]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a/providers/Microsoft.Authorization/roleAssignments", true, "Microsoft.Authorization/roleAssignments")]
    public void ArmPathKnowsCollectionsAndTypes(string path, bool isCollection, string type)
    {
        var parsed = ArmPath.Parse(path);

        Assert.Equal(isCollection, parsed.IsCollection);
        Assert.Equal(type, parsed.ResourceType);
    }
}
