using LogicAppAuth.Engine.Diagnosis;
using Xunit;

namespace LogicAppAuth.Tests.Diagnosis;

public class RemediationTests
{
    private static readonly RemediationTarget Target = new()
    {
        ResourceId = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-o'brien/providers/Microsoft.Web/connections/office365",
        Name = "office365",
        ApiName = "office365",
        ApiId = "/subscriptions/" + Contoso.SubscriptionId + "/providers/Microsoft.Web/locations/westeurope/managedApis/office365",
        Location = "westeurope",
        ClientId = "7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3",
    };

    [Theory]
    [InlineData(DiagnosisCause.ManagedIdentityNotAssigned, "Set-LogicConnectorManagedIdentity -ResourceId ")]
    [InlineData(DiagnosisCause.AccessPolicyMissing, "Set-LogicConnectorManagedIdentity -ResourceId ")]
    [InlineData(DiagnosisCause.PermissionMissing, "Set-LogicConnectorManagedIdentity -ResourceId ")]
    [InlineData(DiagnosisCause.OAuthTokenExpired, "Get-LogicConnectorConsentLink -ResourceId ")]
    [InlineData(DiagnosisCause.OAuthTokenRevoked, "Get-LogicConnectorConsentLink -ResourceId ")]
    [InlineData(DiagnosisCause.ConsentMissing, "Get-LogicConnectorConsentLink -ResourceId ")]
    [InlineData(DiagnosisCause.UserAccountDisabled, "Get-LogicConnectorConsentLink -ResourceId ")]
    [InlineData(DiagnosisCause.UserNotFound, "Get-LogicConnectorConsentLink -ResourceId ")]
    [InlineData(DiagnosisCause.WrongTenant, "Get-LogicConnectorConsentLink -ResourceId ")]
    public void Commands_name_the_connection_quoted_for_PowerShell(DiagnosisCause cause, string prefix)
    {
        var (text, command) = RemediationAdvice.For(cause, Target);
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Equal(prefix + "'/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-o''brien/providers/Microsoft.Web/connections/office365'", command);
    }

    [Fact]
    public void Expired_credentials_are_renewed_on_the_application()
    {
        Assert.Equal("New-AzADAppCredential -ApplicationId '7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3' -EndDate (Get-Date).AddMonths(6)",
            RemediationAdvice.For(DiagnosisCause.SecretExpired, Target).Command);
        Assert.StartsWith("New-AzADAppCredential -ApplicationId '7c1e4f2a-9b3d-4e5f-a6b7-c8d9e0f1a2b3' -CertValue ", RemediationAdvice.For(DiagnosisCause.CertificateExpired, Target).Command);
    }

    [Fact]
    public void A_deleted_connection_is_recreated_under_its_id()
    {
        var command = RemediationAdvice.For(DiagnosisCause.ConnectionDeleted, Target).Command;
        Assert.StartsWith("New-AzResource -ResourceId '/subscriptions/", command);
        Assert.Contains("-Location 'westeurope'", command);
        Assert.Contains("managedApis/office365'", command);
        Assert.DoesNotContain("-Kind", command);
        Assert.Contains("-Kind 'V2'", RemediationAdvice.For(DiagnosisCause.ConnectionDeleted, new RemediationTarget { ResourceId = "/x", ApiId = "/a", Location = "l", Kind = "V2" }).Command);
        Assert.Equal("", RemediationAdvice.For(DiagnosisCause.ConnectionDeleted, new RemediationTarget { ResourceId = "/x" }).Command);
    }

    [Fact]
    public void Healthy_needs_no_fix_and_unknown_suggests_a_deeper_test()
    {
        Assert.Equal(("", ""), RemediationAdvice.For(DiagnosisCause.None, Target));
        Assert.StartsWith("Test-LogicConnectorAuth -ResourceId '", RemediationAdvice.For(DiagnosisCause.Unknown, Target).Command);
        Assert.Equal("", RemediationAdvice.For(DiagnosisCause.Unknown, new RemediationTarget { ResourceId = "/x", LiveTestRan = true, RunHistoryRan = true }).Command);
    }
}
