using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class AzureResourceIdTests
{
    [Theory]
    [InlineData(Contoso.SubscriptionId, AzureResourceId.SubscriptionType)]
    [InlineData("/subscriptions/" + Contoso.SubscriptionId, AzureResourceId.SubscriptionType)]
    [InlineData("/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg", AzureResourceId.ResourceGroupType)]
    [InlineData("/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg/providers/Microsoft.Web/connections/c", AzureResourceId.ConnectionType)]
    [InlineData("/SUBSCRIPTIONS/" + Contoso.SubscriptionId + "/resourcegroups/rg/providers/microsoft.logic/workflows/w", AzureResourceId.WorkflowType)]
    public void RecognisesTheResourceType(string text, string type) => Assert.True(AzureResourceId.Parse(text).IsType(type));

    [Theory]
    [InlineData("")]
    [InlineData("not-an-id")]
    [InlineData("/subscriptions/prod/resourceGroups/rg")]
    [InlineData("/resourceGroups/rg")]
    public void RejectsMalformedIdsWithAnInvalidArgumentError(string text)
    {
        var error = Assert.Throws<LogicAppAuthException>(() => AzureResourceId.Parse(text));
        Assert.Equal("InvalidResourceId", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Equal(text, error.Target);
    }
}
