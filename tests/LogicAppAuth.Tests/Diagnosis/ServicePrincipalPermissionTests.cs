using System;
using System.Text.Json;
using LogicAppAuth.Engine.Diagnosis;
using Xunit;

namespace LogicAppAuth.Tests.Diagnosis;

/// <summary>The pure parts of the role check of service-principal connections: the Graph look-up, its answer, and the fix.</summary>
public class ServicePrincipalPermissionTests
{
    private const string Vault = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-integration/providers/Microsoft.KeyVault/vaults/kv-contoso-secrets";

    private static RemediationTarget Target(MissingGrant? grant, string clientId = "2eac6b80-3f4d-4c5e-9a7b-9c0d1e2f3a4b") => new()
    {
        ResourceId = "/subscriptions/" + Contoso.SubscriptionId + "/resourceGroups/rg-integration/providers/Microsoft.Web/connections/keyvault-sp-norole",
        Name = "keyvault-sp-norole",
        ApiName = "keyvault",
        ClientId = clientId,
        MissingGrant = grant,
    };

    [Fact]
    public void The_service_principal_is_looked_up_by_appId_with_only_what_the_check_needs()
    {
        Assert.Equal("servicePrincipals?$filter=appId%20eq%20'2eac6b80-3f4d-4c5e-9a7b-9c0d1e2f3a4b'&$select=id,appId,displayName",
            ConnectorDiagnostician.ServicePrincipalPath(Guid.Parse("2EAC6B80-3F4D-4C5E-9A7B-9C0D1E2F3A4B")));
    }

    [Fact]
    public void The_first_service_principal_of_the_answer_is_the_one_the_connection_signs_in_as()
    {
        var body = JsonDocument.Parse("""{"value":[{"id":"5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03","appId":"2eac6b80-3f4d-4c5e-9a7b-9c0d1e2f3a4b","displayName":"sp-logicappauth-norole"}]}""").RootElement;
        Assert.Equal(("5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03", "sp-logicappauth-norole"), ConnectorDiagnostician.ServicePrincipalFrom(body));
    }

    [Theory]
    [InlineData("""{"value":[]}""")]
    [InlineData("""{"value":[{"displayName":"no id"}]}""")]
    [InlineData("""{}""")]
    public void No_service_principal_in_the_answer_is_null(string json) =>
        Assert.Null(ConnectorDiagnostician.ServicePrincipalFrom(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void A_service_principal_connection_missing_a_role_gets_the_role_assignment_on_the_target()
    {
        var (text, command) = RemediationAdvice.For(DiagnosisCause.PermissionMissing,
            Target(new MissingGrant("5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03", "Key Vault Secrets User", Vault, "")));
        Assert.Contains("Key Vault Secrets User", text);
        Assert.Equal($"New-AzRoleAssignment -ObjectId '5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03' -RoleDefinitionName 'Key Vault Secrets User' -Scope '{Vault}'", command);
    }

    [Fact]
    public void A_service_principal_connection_to_an_access_policy_vault_gets_an_access_policy()
    {
        var (_, command) = RemediationAdvice.For(DiagnosisCause.PermissionMissing,
            Target(new MissingGrant("5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03", "", Vault, "kv-o'brien")));
        Assert.Equal("Set-AzKeyVaultAccessPolicy -VaultName 'kv-o''brien' -ObjectId '5e6f7a8b-3333-4c2d-8e9f-0a1b2c3d4e03' -PermissionsToSecrets get,list", command);
    }

    [Fact]
    public void A_managed_identity_connection_keeps_the_managed_identity_fix()
    {
        var (_, command) = RemediationAdvice.For(DiagnosisCause.PermissionMissing,
            Target(new MissingGrant("5cd272fd-e0a2-4110-a23a-3c01bca0e2c2", "Azure Service Bus Data Sender", Vault, ""), clientId: ""));
        Assert.StartsWith("Set-LogicConnectorManagedIdentity -ResourceId ", command);
    }

    [Fact]
    public void Missing_grants_are_kept_by_the_findings()
    {
        var findings = new DiagnosisFindings();
        Assert.Null(findings.MissingGrant);
        findings.MissingGrant = new MissingGrant("p", "r", "/subscriptions/s", "");
        Assert.Equal("r", findings.MissingGrant!.RoleName);
    }
}
