namespace LogicAppAuth.Tests;

/// <summary>
/// Ids of the contoso scenario (src/LogicAppAuth.Sandbox/Scenarios/contoso.json) under the names tests use, written
/// once: <see cref="ContosoTests"/> checks them against the ready-file of a running sandbox. Constants, so that
/// attribute data can use them too. Pester reads the same ids from the ready file (tests/pester/common.ps1, $Contoso).
/// </summary>
public static class Contoso
{
    /// <summary>Home tenant (Contoso).</summary>
    public const string TenantId = "6d2a1c44-5a3b-4f0e-9c1d-2b7e8f3a4c10";

    /// <summary>"Contoso Integration (Prod)": every connection, workflow and Standard app of the scenario.</summary>
    public const string SubscriptionId = "3f1c7a52-8d4e-4b6a-9c2f-5e7d1a2b3c4d";

    /// <summary>"Contoso Dev/Test": a second home-tenant subscription with one resource group and no connection.</summary>
    public const string DevTestSubscriptionId = "7b2e9d14-6c3a-4f58-a1e0-2d4c6b8a9f01";

    /// <summary>The other tenant (Fabrikam), where the admin has no role.</summary>
    public const string FabrikamTenantId = "9f8e7d6c-1b2a-4c3d-8e9f-0a1b2c3d4e5f";

    /// <summary>"Fabrikam Shared", in <see cref="FabrikamTenantId"/>: not visible to the home tenant's principals.</summary>
    public const string FabrikamSubscriptionId = "c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f";

    /// <summary>The resource group of the Consumption workflows and most connections.</summary>
    public const string IntegrationGroup = "/subscriptions/" + SubscriptionId + "/resourceGroups/rg-integration";
}
