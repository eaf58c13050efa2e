using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Key Vault access policies: <c>PUT {vault}/accessPolicies/{add|replace|remove}</c> with
/// <c>{ properties: { accessPolicies: [ { tenantId, objectId, permissions: { keys, secrets, certificates } } ] } }</c>,
/// behind <c>Microsoft.KeyVault/vaults/accessPolicies/write</c>. <c>add</c> merges permissions into the principal's
/// policy, <c>remove</c> takes them out (dropping a policy left with none), <c>replace</c> sets them. Answers with the
/// vault's policies, as Azure does.
/// </summary>
public static class VaultAccessPolicyRoutes
{
    private static readonly string[] Kinds = ["add", "replace", "remove"];
    private static readonly string[] Categories = ["keys", "secrets", "certificates", "storage"];

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.KeyVault");
        if (index < 0 || !HttpMethods.IsPut(context.Request.Method) || path.Segments.Length != index + 6
            || !path.Segments[index + 2].Equals("vaults", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[index + 4].Equals("accessPolicies", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var vaultId = "/" + string.Join('/', path.Segments[..(index + 4)]);
        var kind = path.Segments[index + 5].ToLowerInvariant();
        if (ArmRoutes.Authorize(state, caller, "Microsoft.KeyVault/vaults/accessPolicies/write", vaultId) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (state.Store.Get(vaultId) is not { } vault)
        {
            return ArmApi.NotFound(vaultId);
        }

        if (!Kinds.Contains(kind))
        {
            return ArmErrors.Error(400, "InvalidAccessPolicyUpdateKind", $"'{kind}' is not an access policy update kind; use add, replace or remove.");
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        if (body["properties"]?["accessPolicies"] is not JsonArray requested)
        {
            return ArmErrors.Error(400, "BadRequest", "properties.accessPolicies is required.");
        }

        var properties = (JsonObject)vault["properties"]!;
        var policies = properties["accessPolicies"] as JsonArray ?? new JsonArray();
        foreach (var change in requested.OfType<JsonObject>())
        {
            var objectId = (string?)change["objectId"] ?? "";
            var existing = policies.OfType<JsonObject>().FirstOrDefault(p => string.Equals((string?)p["objectId"], objectId, StringComparison.OrdinalIgnoreCase));
            if (existing is null)
            {
                if (kind == "remove")
                {
                    continue;
                }

                existing = new JsonObject { ["tenantId"] = change["tenantId"]?.DeepClone(), ["objectId"] = objectId, ["permissions"] = new JsonObject() };
                policies.Add(existing);
            }

            var permissions = (JsonObject)existing["permissions"]!;
            foreach (var category in Categories)
            {
                var have = (permissions[category] as JsonArray)?.Select(p => (string?)p ?? "").ToList() ?? [];
                var asked = (change["permissions"]?[category] as JsonArray)?.Select(p => (string?)p ?? "").ToList() ?? [];
                var result = kind switch
                {
                    "add" => have.Concat(asked.Where(a => !have.Contains(a, StringComparer.OrdinalIgnoreCase))).ToList(),
                    "remove" => have.Where(h => !asked.Contains(h, StringComparer.OrdinalIgnoreCase)).ToList(),
                    _ => asked,
                };
                if (result.Count > 0 || permissions.ContainsKey(category))
                {
                    permissions[category] = new JsonArray(result.Select(r => (JsonNode?)r).ToArray());
                }
            }

            if (kind == "remove" && Categories.All(c => (permissions[c] as JsonArray)?.Count is null or 0))
            {
                policies.Remove(existing);
            }
        }

        properties["accessPolicies"] = policies;
        state.Store.Put(vault);
        return Results.Json(new JsonObject
        {
            ["id"] = $"{vaultId}/accessPolicies/{kind}",
            ["type"] = "Microsoft.KeyVault/vaults/accessPolicies",
            ["name"] = kind,
            ["location"] = vault["location"]?.DeepClone(),
            ["properties"] = new JsonObject { ["accessPolicies"] = policies.DeepClone() },
        });
    }
}
