using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Whether a Key Vault grants data access through access policies or Azure RBAC. <c>enableRbacAuthorization</c>
/// defaults to false, and older vaults leave it out of their GET: only an explicit true means RBAC. A document
/// without <c>properties</c> (not read in full) counts as RBAC, the model of every vault made since 2024.
/// </summary>
public static class KeyVaultPermissionModel
{
    public static bool UsesAccessPolicies(JsonElement vault) =>
        Json.Path(vault, "properties") is JsonElement properties && properties.ValueKind == JsonValueKind.Object
        && !(Json.Path(properties, "enableRbacAuthorization") is JsonElement rbac && rbac.ValueKind == JsonValueKind.True);

    public static bool UsesAccessPolicies(JsonNode? vault) =>
        vault?["properties"] is JsonObject properties
        && !(properties["enableRbacAuthorization"] is JsonValue rbac && rbac.TryGetValue<bool>(out var usesRbac) && usesRbac);
}
