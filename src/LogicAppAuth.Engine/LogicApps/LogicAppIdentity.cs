using System;
using System.Collections.Generic;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>The managed identities of a logic app (Consumption workflow or Standard site).</summary>
internal sealed class LogicAppIdentity
{
    public static readonly LogicAppIdentity None = new LogicAppIdentity("None", "", new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    public LogicAppIdentity(string type, string principalId, IReadOnlyDictionary<string, string> userAssigned)
    {
        Type = type;
        PrincipalId = principalId;
        UserAssigned = userAssigned;
    }

    public string Type { get; }
    public string PrincipalId { get; }

    /// <summary>User-assigned identities by resource id → principal id.</summary>
    public IReadOnlyDictionary<string, string> UserAssigned { get; }

    public bool HasSystemAssigned => Type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0 && PrincipalId.Length > 0;

    public string Describe() => Type.Length == 0 || string.Equals(Type, "None", StringComparison.OrdinalIgnoreCase) ? "none" : Type;

    public static LogicAppIdentity Read(JsonElement resource)
    {
        if (!(Json.Path(resource, "identity") is JsonElement identity) || identity.ValueKind != JsonValueKind.Object)
        {
            return None;
        }

        var assigned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Json.Path(identity, "userAssignedIdentities") is JsonElement uami && uami.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in uami.EnumerateObject())
            {
                assigned[entry.Name.TrimEnd('/')] = Json.String(entry.Value, "principalId");
            }
        }

        return new LogicAppIdentity(Json.String(identity, "type"), Json.String(identity, "principalId"), assigned);
    }
}
