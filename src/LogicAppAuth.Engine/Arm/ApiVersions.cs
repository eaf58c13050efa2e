using System;
using System.Collections.Generic;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Every api-version the module sends, in one place. A resource type not in <see cref="ForResourceType"/> is read
/// with the newest stable version its provider registers (<see cref="ProviderApiVersions"/>).
/// </summary>
internal static class ApiVersions
{
    public const string Subscriptions = "2022-12-01";
    public const string ResourceGroups = "2021-04-01";
    public const string Providers = "2021-04-01";
    public const string Connections = "2016-06-01";
    public const string Workflows = "2019-05-01";
    public const string Sites = "2023-12-01";

    /// <summary>A Standard app's <c>listWorkflowsConnections</c>.</summary>
    public const string ListWorkflowsConnections = "2025-03-01";

    /// <summary>A Standard app's host runtime files (connections.json through the VFS).</summary>
    public const string HostRuntime = "2018-11-01";

    public const string Authorization = "2022-04-01";
    public const string KeyVault = "2023-07-01";
    public const string UserAssignedIdentities = "2023-01-31";
    public const string MetricAlerts = "2018-03-01";
    public const string ResourceGraph = "2021-03-01";
    public const string CloudMetadata = "2022-09-01";

    private static readonly Dictionary<string, string> ByResourceType = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.ServiceBus/namespaces"] = "2021-11-01",
        ["Microsoft.EventHub/namespaces"] = "2024-01-01",
        ["Microsoft.Storage/storageAccounts"] = "2023-01-01",
        ["Microsoft.KeyVault/vaults"] = KeyVault,
        ["Microsoft.Web/connections"] = Connections,
        ["Microsoft.Logic/workflows"] = Workflows,
        ["Microsoft.Web/sites"] = Sites,
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = UserAssignedIdentities,
    };

    /// <summary>The module's own api-version for a resource type it knows, else null.</summary>
    public static string? ForResourceType(string resourceType) => ByResourceType.TryGetValue(resourceType ?? "", out var version) ? version : null;
}
