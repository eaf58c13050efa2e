using System;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>What the fix of a cause needs to know about the connection.</summary>
public sealed class RemediationTarget
{
    public string ResourceId { get; set; } = "";
    public string Name { get; set; } = "";
    public string ApiName { get; set; } = "";
    public string ApiId { get; set; } = "";
    public string Location { get; set; } = "";
    public string Kind { get; set; } = "";

    /// <summary>token:clientId of a service-principal connection (the application's appId).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The subscription's tenant, for wrong-tenant advice.</summary>
    public string ExpectedTenantId { get; set; } = "";

    /// <summary>For PermissionMissing of a service-principal connection: the role (or vault access policy) its principal lacks.</summary>
    public MissingGrant? MissingGrant { get; set; }

    public bool LiveTestRan { get; set; }
    public bool RunHistoryRan { get; set; }
}

/// <summary>The sentence that explains the fix of a cause and the command line that applies it to one connection. Pure.</summary>
public static class RemediationAdvice
{
    public static (string Text, string Command) For(DiagnosisCause cause, RemediationTarget target)
    {
        var id = Quote(target.ResourceId);
        var consent = $"Get-LogicConnectorConsentLink -ResourceId {id}";
        var managedIdentity = $"Set-LogicConnectorManagedIdentity -ResourceId {id}";
        if (string.Equals(target.Kind, "BuiltIn", StringComparison.OrdinalIgnoreCase) && BuiltIn(cause, managedIdentity) is (string, string) builtIn)
        {
            return builtIn;
        }

        switch (cause)
        {
            case DiagnosisCause.None:
                return ("", "");
            case DiagnosisCause.ConnectionDeleted:
                return ("Recreate the connection under the same name (so the workflows that reference it work again) and authorize it, or point the workflows at another connection.",
                    RecreateCommand(target));
            case DiagnosisCause.WrongTenant:
                return ($"Authorize the connection again with a member account of the subscription's tenant{TenantSuffix(target)}, or use a managed identity or service principal of that tenant.",
                    consent);
            case DiagnosisCause.UserNotFound:
                return ("The account that authorized the connection no longer exists: authorize it again with an active account (a service account), or switch the connection to a managed identity.",
                    consent);
            case DiagnosisCause.UserAccountDisabled:
                return ("The account that authorized the connection is disabled: authorize it again with an active account (a service account), or switch the connection to a managed identity.",
                    consent);
            case DiagnosisCause.CertificateExpired:
                return ("Every certificate of the connection's application has expired: upload a new certificate to the application, then update the connection with it.",
                    target.ClientId.Length == 0 ? "" :
                    $"New-AzADAppCredential -ApplicationId {Quote(target.ClientId)} -CertValue ([Convert]::ToBase64String((Get-PfxCertificate -FilePath './new-certificate.cer').RawData)) -EndDate (Get-Date).AddMonths(12)");
            case DiagnosisCause.SecretExpired:
                return ("Every client secret of the connection's application has expired: add a new secret to the application, then put it into the connection (token:clientSecret).",
                    target.ClientId.Length == 0 ? "" : $"New-AzADAppCredential -ApplicationId {Quote(target.ClientId)} -EndDate (Get-Date).AddMonths(6)");
            case DiagnosisCause.ManagedIdentityNotAssigned:
                return ("Enable the managed identity that the connection's users name on the logic app (and grant it the role the connector needs).", managedIdentity);
            case DiagnosisCause.AccessPolicyMissing:
                return ("Add an access policy for the Standard logic app's managed identity to the V2 connection.", managedIdentity);
            case DiagnosisCause.PermissionMissing:
                return target.ClientId.Length > 0 && target.MissingGrant is MissingGrant grant
                    ? ServicePrincipalGrant(grant)
                    : ("Grant the identity the least-privileged role the connector needs, at the scope of the target resource.", managedIdentity);
            case DiagnosisCause.OAuthTokenRevoked:
                return ("The OAuth grant was revoked (password reset or revoked sessions): authorize the connection again.", consent);
            case DiagnosisCause.OAuthTokenExpired:
                return ("The OAuth refresh token expired: authorize the connection again, or switch it to a managed identity so that it cannot expire.", consent);
            case DiagnosisCause.ConsentMissing:
                return ("The connection was never authorized: sign in and consent.", consent);
            default:
                return ("The cause could not be proven from what was readable; see Evidence and SkippedChecks, grant the missing read permissions, or test the connection live.",
                    target.LiveTestRan && target.RunHistoryRan ? "" : $"Test-LogicConnectorAuth -ResourceId {id} -Live -IncludeRunHistory");
        }
    }

    /// <summary>The advice for a Standard app's built-in connection, whose secrets live in app settings; null where the general advice applies.</summary>
    private static (string Text, string Command)? BuiltIn(DiagnosisCause cause, string managedIdentity)
    {
        switch (cause)
        {
            case DiagnosisCause.AppSettingMissing:
                return ("Add the app setting the connection names to the Standard app (Evidence names it), or switch the connection to the app's managed identity, which needs no secret.", managedIdentity);
            case DiagnosisCause.SecretExpired:
                return ("The shared access signature in the connection string has expired: switch the connection to the app's managed identity, or put a new signature into the app setting.", managedIdentity);
            case DiagnosisCause.KeyRotated:
                return ("The key in the connection string was regenerated on its target: switch the connection to the app's managed identity, or put the current connection string into the app setting.", managedIdentity);
            case DiagnosisCause.ManagedIdentityNotAssigned:
                return ("Enable the managed identity the connection names on the Standard app, and grant it the data role it needs on the target.", managedIdentity);
            case DiagnosisCause.PermissionMissing:
                return ("Grant the app's managed identity the least-privileged data role the connection needs, at the scope of the target resource.", managedIdentity);
            default:
                return null;
        }
    }

    /// <summary>A service-principal connection's app lacks a role: grant it to the app's service principal (the connection needs no change).</summary>
    private static (string Text, string Command) ServicePrincipalGrant(MissingGrant grant)
    {
        if (grant.RoleName.Length == 0 && grant.VaultName.Length > 0)
        {
            return ("Add a Key Vault access policy with secret get and list for the connection's service principal (the vault uses access policies, not RBAC).",
                $"Set-AzKeyVaultAccessPolicy -VaultName {Quote(grant.VaultName)} -ObjectId {Quote(grant.PrincipalId)} -PermissionsToSecrets get,list");
        }

        return ($"Grant the connection's service principal {grant.RoleName} at the scope of the target resource; the connection itself needs no change.",
            $"New-AzRoleAssignment -ObjectId {Quote(grant.PrincipalId)} -RoleDefinitionName {Quote(grant.RoleName)} -Scope {Quote(grant.Scope)}");
    }

    /// <summary>A PowerShell single-quoted string literal.</summary>
    public static string Quote(string value) => "'" + (value ?? "").Replace("'", "''") + "'";

    private static string TenantSuffix(RemediationTarget target) =>
        target.ExpectedTenantId.Length == 0 ? "" : $" ({target.ExpectedTenantId})";

    private static string RecreateCommand(RemediationTarget target)
    {
        if (target.ApiId.Length == 0 || target.Location.Length == 0)
        {
            return "";
        }

        var kind = string.Equals(target.Kind, "V2", StringComparison.OrdinalIgnoreCase) ? " -Kind 'V2'" : "";
        return $"New-AzResource -ResourceId {Quote(target.ResourceId)} -Location {Quote(target.Location)}{kind} -ApiVersion '2016-06-01' " +
            $"-Properties @{{ api = @{{ id = {Quote(target.ApiId)} }}; displayName = {Quote(target.Name)} }} -Force";
    }
}
