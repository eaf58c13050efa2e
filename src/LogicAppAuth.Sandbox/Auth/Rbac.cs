using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using LogicAppAuth.Sandbox.Arm;

namespace LogicAppAuth.Sandbox.Auth;

/// <summary>Evaluates Azure RBAC over the role-assignment documents in the store.</summary>
public sealed class Rbac(ResourceStore store)
{
    public const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";

    /// <summary>True when a role assigned to <paramref name="objectId"/> at <paramref name="scope"/> or above allows the action.</summary>
    public bool IsAllowed(string objectId, string action, string scope, bool dataAction = false) =>
        RolesAt(objectId, scope).Any(role => dataAction
            ? Matches(role.DataActions, action) && !Matches(role.NotDataActions, action)
            : Matches(role.Actions, action) && !Matches(role.NotActions, action));

    /// <summary>True when the principal has any role at, above or below <paramref name="scope"/>
    /// (used to decide which subscriptions a caller sees).</summary>
    public bool HasAnyRoleTouching(string objectId, string scope) =>
        Assignments(objectId).Any(a => ArmPath.IsAtOrAbove(a.Scope, scope) || ArmPath.IsAtOrAbove(scope, a.Scope));

    public IEnumerable<RoleDefinition> RolesAt(string objectId, string scope) =>
        Assignments(objectId).Where(a => ArmPath.IsAtOrAbove(a.Scope, scope)).Select(a => a.Role);

    private IEnumerable<(string Scope, RoleDefinition Role)> Assignments(string objectId)
    {
        foreach (var document in store.OfType(RoleAssignmentType))
        {
            var properties = document["properties"];
            if (!string.Equals((string?)properties?["principalId"], objectId, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var role = BuiltInRoles.FromDefinitionId((string?)properties?["roleDefinitionId"] ?? "");
            var scope = (string?)properties?["scope"];
            if (role is not null && scope is not null)
            {
                yield return (scope, role);
            }
        }
    }

    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Azure action patterns: '*' matches any run of characters, case-insensitively.</summary>
    private static bool Matches(IEnumerable<string> patterns, string action) =>
        patterns.Any(pattern => Patterns.GetOrAdd(pattern, p => new Regex(
            "^" + Regex.Escape(p).Replace("\\*", ".*") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).IsMatch(action));
}
