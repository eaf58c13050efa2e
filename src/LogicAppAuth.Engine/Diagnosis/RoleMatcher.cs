using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Diagnosis;

/// <summary>A role definition's permission blocks, as Microsoft.Authorization/roleDefinitions returns them.</summary>
public sealed class RoleDefinitionInfo
{
    public RoleDefinitionInfo(string id, string roleName, IReadOnlyList<RolePermission> permissions)
    {
        Id = id;
        RoleName = roleName;
        Permissions = permissions;
    }

    public string Id { get; }
    public string RoleName { get; }
    public IReadOnlyList<RolePermission> Permissions { get; }

    public static RoleDefinitionInfo Read(JsonElement document)
    {
        var permissions = new List<RolePermission>();
        if (Json.Path(document, "properties", "permissions") is JsonElement blocks && blocks.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                permissions.Add(new RolePermission(Strings(block, "actions"), Strings(block, "notActions"), Strings(block, "dataActions"), Strings(block, "notDataActions")));
            }
        }

        return new RoleDefinitionInfo(Json.String(document, "id"), Json.String(document, "properties", "roleName"), permissions);
    }

    private static IReadOnlyList<string> Strings(JsonElement block, string name) =>
        Json.Path(block, name) is JsonElement array && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString() ?? "").ToList()
            : (IReadOnlyList<string>)Array.Empty<string>();
}

public sealed class RolePermission
{
    public RolePermission(IReadOnlyList<string> actions, IReadOnlyList<string> notActions, IReadOnlyList<string> dataActions, IReadOnlyList<string> notDataActions)
    {
        Actions = actions;
        NotActions = notActions;
        DataActions = dataActions;
        NotDataActions = notDataActions;
    }

    public IReadOnlyList<string> Actions { get; }
    public IReadOnlyList<string> NotActions { get; }
    public IReadOnlyList<string> DataActions { get; }
    public IReadOnlyList<string> NotDataActions { get; }
}

/// <summary>Azure RBAC evaluation: action patterns with '*' wildcards, and scopes that cover resources. Pure.</summary>
public static class RoleMatcher
{
    /// <summary>'*' matches any run of characters; comparison ignores case.</summary>
    public static bool PatternMatches(string pattern, string action)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, action, StringComparison.OrdinalIgnoreCase);
        }

        int position = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0)
            {
                if (!action.StartsWith(part, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                position = part.Length;
            }
            else if (i == parts.Length - 1)
            {
                return action.Length - position >= part.Length && action.EndsWith(part, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                int found = action.IndexOf(part, position, StringComparison.OrdinalIgnoreCase);
                if (found < 0)
                {
                    return false;
                }

                position = found + part.Length;
            }
        }

        return true;
    }

    /// <summary>True when one permission block allows <paramref name="action"/> and does not exclude it.</summary>
    public static bool Grants(RoleDefinitionInfo role, string action, bool dataAction) =>
        role.Permissions.Any(p => dataAction
            ? p.DataActions.Any(a => PatternMatches(a, action)) && !p.NotDataActions.Any(a => PatternMatches(a, action))
            : p.Actions.Any(a => PatternMatches(a, action)) && !p.NotActions.Any(a => PatternMatches(a, action)));

    /// <summary>True when an assignment at <paramref name="scope"/> applies to <paramref name="resourceId"/> (same or an ancestor scope).</summary>
    public static bool ScopeCovers(string scope, string resourceId)
    {
        var s = (scope ?? "").TrimEnd('/');
        var r = (resourceId ?? "").TrimEnd('/');
        if (s.Length == 0)
        {
            return true;
        }

        if (s.StartsWith("/providers/Microsoft.Management/managementGroups/", StringComparison.OrdinalIgnoreCase))
        {
            return true; // the caller only sees management-group assignments that apply to the listed subscription
        }

        return string.Equals(s, r, StringComparison.OrdinalIgnoreCase) || r.StartsWith(s + "/", StringComparison.OrdinalIgnoreCase);
    }
}
