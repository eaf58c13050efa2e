using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using Xunit;

namespace LogicAppAuth.Tests.Engine;

public class AzureResourceIdTests
{
    [Theory]
    [InlineData("3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d", AzureResourceId.SubscriptionType)]
    [InlineData("/subscriptions/3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d", AzureResourceId.SubscriptionType)]
    [InlineData("/subscriptions/3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d/resourceGroups/rg", AzureResourceId.ResourceGroupType)]
    [InlineData("/subscriptions/3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d/resourceGroups/rg/providers/Microsoft.Web/connections/c", AzureResourceId.ConnectionType)]
    [InlineData("/SUBSCRIPTIONS/3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d/resourcegroups/rg/providers/microsoft.logic/workflows/w", AzureResourceId.WorkflowType)]
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
