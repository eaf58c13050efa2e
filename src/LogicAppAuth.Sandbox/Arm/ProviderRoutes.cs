using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// <c>GET /subscriptions/{s}/providers/{namespace}</c>: a resource provider with its resource types and the api-versions it
/// registers for each, newest first, as ARM lists them. The lists are a sample of the public ones (not exhaustive). ARM
/// refuses a request to a resource of these types with an api-version its provider does not register, and so does the sandbox.
/// </summary>
public static class ProviderRoutes
{
    private static readonly Dictionary<string, (string Type, string[] ApiVersions)[]> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Web"] = [("sites", ["2025-03-01", "2024-11-01", "2024-04-01", "2023-12-01", "2023-01-01", "2022-09-01", "2022-03-01"]),
            ("sites/hostruntime", ["2018-11-01"]),
            ("sites/workflows", ["2025-03-01", "2024-11-01", "2024-04-01", "2023-12-01", "2023-01-01", "2022-09-01", "2022-03-01", "2018-11-01"]),
            ("connections", ["2018-07-01-preview", "2016-06-01", "2015-08-01-preview"]), ("locations/managedApis", ["2016-06-01"])],
        ["Microsoft.Logic"] = [("workflows", ["2019-05-01", "2018-07-01-preview", "2016-06-01"])],
        ["Microsoft.KeyVault"] = [("vaults", ["2024-12-01-preview", "2024-11-01", "2023-07-01", "2023-02-01", "2022-07-01"])],
        ["Microsoft.Storage"] = [("storageAccounts", ["2024-01-01", "2023-05-01", "2023-01-01", "2022-09-01"])],
        ["Microsoft.ServiceBus"] = [("namespaces", ["2024-01-01", "2022-10-01-preview", "2021-11-01", "2017-04-01"])],
        ["Microsoft.EventHub"] = [("namespaces", ["2024-05-01-preview", "2024-01-01", "2021-11-01"])],
        ["Microsoft.Sql"] = [("servers", ["2024-05-01-preview", "2023-08-01", "2021-11-01", "2014-04-01"]), ("servers/databases", ["2024-05-01-preview", "2023-08-01", "2021-11-01"])],
        ["Microsoft.DocumentDB"] = [("databaseAccounts", ["2025-04-15", "2024-12-01-preview", "2024-11-15", "2024-08-15"])],
        ["Microsoft.ManagedIdentity"] = [("userAssignedIdentities", ["2024-11-30", "2023-01-31", "2018-11-30"])],
        ["Microsoft.Insights"] = [("metricAlerts", ["2018-03-01"]), ("actionGroups", ["2023-01-01", "2022-06-01"])],
        ["Microsoft.Authorization"] = [("roleAssignments", ["2022-04-01", "2020-10-01-preview"]), ("roleDefinitions", ["2022-04-01"])],
    };

    /// <summary>ARM's 400 for a request to a resource whose provider does not register the api-version; null when it does,
    /// or when the provider or type is not one the table holds (nothing to check against).</summary>
    public static IResult? RefuseUnregisteredApiVersion(ArmPath path, string apiVersion)
    {
        var providers = Array.FindLastIndex(path.Segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        if (providers < 0 || providers + 2 >= path.Segments.Length || !Providers.TryGetValue(path.Segments[providers + 1], out var types))
        {
            return null;
        }

        var typeNames = path.Segments.Skip(providers + 2).Where((_, i) => i % 2 == 0).ToList();
        var versions = Enumerable.Range(1, typeNames.Count).Reverse()
            .Select(n => types.FirstOrDefault(t => t.Type.Equals(string.Join('/', typeNames.Take(n)), StringComparison.OrdinalIgnoreCase)).ApiVersions)
            .FirstOrDefault(v => v is not null);
        if (versions is null || versions.Contains(apiVersion, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var type = $"{path.Segments[providers + 1]}/{string.Join('/', typeNames)}";
        return ArmErrors.Error(400, "NoRegisteredProviderFound",
            $"No registered resource provider found for location 'westeurope' and API version '{apiVersion}' for type '{typeNames[0]}'. " +
            $"The supported api-versions are '{string.Join(", ", versions)}'. The supported locations are 'westeurope, northeurope'. ({type})");
    }

    public static IResult? TryHandle(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || path.Segments.Length != 4 || !path.Segments[2].Equals("providers", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var scope = "/subscriptions/" + path.SubscriptionId;
        if (!state.Rbac.HasAnyRoleTouching(caller.ObjectId, scope))
        {
            return ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, "Microsoft.Resources/subscriptions/providers/read", scope);
        }

        var providerNamespace = path.Segments[3];
        if (!Providers.TryGetValue(providerNamespace, out var types))
        {
            return ArmErrors.Error(404, "InvalidResourceNamespace", $"The resource namespace '{providerNamespace}' is invalid.");
        }

        return Results.Json(new JsonObject
        {
            ["id"] = $"{scope}/providers/{providerNamespace}",
            ["namespace"] = providerNamespace,
            ["registrationState"] = "Registered",
            ["registrationPolicy"] = "RegistrationRequired",
            ["resourceTypes"] = new JsonArray(types.Select(t => (JsonNode)new JsonObject
            {
                ["resourceType"] = t.Type,
                ["locations"] = new JsonArray("West Europe", "North Europe"),
                ["apiVersions"] = new JsonArray(t.ApiVersions.Select(v => (JsonNode)v).ToArray()),
                ["capabilities"] = "None",
            }).ToArray()),
        });
    }
}
