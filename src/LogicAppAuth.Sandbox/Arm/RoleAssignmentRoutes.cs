using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Microsoft.Authorization at any scope: <c>GET {scope}/providers/Microsoft.Authorization/roleAssignments</c>
/// with <c>$filter=atScope()</c> / <c>principalId eq '{id}'</c> / <c>assignedTo('{id}')</c>, <c>PUT</c>/<c>DELETE</c>
/// of one assignment (201, 409 RoleAssignmentExists), and the built-in <c>roleDefinitions</c>.
/// </summary>
public static partial class RoleAssignmentRoutes
{
    private const string Namespace = "Microsoft.Authorization";
    public const string RoleDefinitionType = "Microsoft.Authorization/roleDefinitions";

    public static IResult? TryHandle(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || Parse(path) is not { } target)
        {
            return null;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (target.Collection.Equals("roleDefinitions", StringComparison.OrdinalIgnoreCase))
        {
            return ArmRoutes.Authorize(state, caller, RoleDefinitionType + "/read", target.Scope) ?? RoleDefinitions(context, target);
        }

        if (target.Name is not null)
        {
            // One assignment: the generic document read answers it.
            return null;
        }

        return ArmRoutes.Authorize(state, caller, Rbac.RoleAssignmentType + "/read", target.Scope) ?? ListAssignments(context, state, target.Scope);
    }

    public static async Task<IResult?> TryHandleWriteAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var isPut = HttpMethods.IsPut(context.Request.Method);
        var isDelete = HttpMethods.IsDelete(context.Request.Method);
        if ((!isPut && !isDelete) || Parse(path) is not { Name: { } name } target
            || !target.Collection.Equals("roleAssignments", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var action = Rbac.RoleAssignmentType + (isPut ? "/write" : "/delete");
        if (ArmRoutes.Authorize(state, caller, action, target.Scope) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        var id = $"{(target.Scope == "/" ? "" : target.Scope)}/providers/{Namespace}/roleAssignments/{name}";
        if (isDelete)
        {
            var existing = state.Store.Get(id);
            return existing is not null && state.Store.Remove(id) ? Results.Json(existing) : Results.NoContent();
        }

        if (!Guid.TryParse(name, out _))
        {
            return ArmErrors.Error(400, "InvalidRoleAssignmentId", $"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.");
        }

        var scopePath = ArmPath.Parse(target.Scope);
        if (scopePath.Segments.Length > 4 && !state.Store.Exists(target.Scope))
        {
            return ArmApi.NotFound(target.Scope);
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        var properties = body["properties"] as JsonObject;
        var roleDefinitionId = (string?)properties?["roleDefinitionId"];
        var principalId = (string?)properties?["principalId"];
        var principalType = (string?)properties?["principalType"];
        if (string.IsNullOrEmpty(roleDefinitionId) || string.IsNullOrEmpty(principalId))
        {
            return ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid: properties.roleDefinitionId and properties.principalId are required.");
        }

        var role = BuiltInRoles.FromDefinitionId(roleDefinitionId);
        if (role is null)
        {
            var roleGuid = roleDefinitionId[(roleDefinitionId.LastIndexOf('/') + 1)..];
            return ArmErrors.Error(400, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{roleGuid}' does not exist.");
        }

        if (string.IsNullOrEmpty(principalType) && !GraphDirectory.PrincipalExists(state.Scenario, principalId))
        {
            return ArmErrors.Error(400, "PrincipalNotFound",
                $"Principal {principalId.Replace("-", "")} does not exist in the directory {state.Scenario.HomeTenantId}. Check that you have the correct principal ID. " +
                "If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. " +
                "In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype");
        }

        var sameName = state.Store.Get(id);
        if (sameName is not null)
        {
            var sameProperties = sameName["properties"];
            var unchanged = string.Equals((string?)sameProperties?["principalId"], principalId, StringComparison.OrdinalIgnoreCase)
                            && BuiltInRoles.FromDefinitionId((string?)sameProperties?["roleDefinitionId"] ?? "")?.Id == role.Id;
            return unchanged
                ? Results.Json(sameName, statusCode: 201)
                : ArmErrors.Error(400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
        }

        var duplicate = state.Store.OfType(Rbac.RoleAssignmentType).Any(a =>
            string.Equals((string?)a["properties"]?["principalId"], principalId, StringComparison.OrdinalIgnoreCase)
            && ArmPath.Normalize((string?)a["properties"]?["scope"] ?? "").Equals(target.Scope, StringComparison.OrdinalIgnoreCase)
            && BuiltInRoles.FromDefinitionId((string?)a["properties"]?["roleDefinitionId"] ?? "")?.Id == role.Id);
        if (duplicate)
        {
            return ArmErrors.Error(409, "RoleAssignmentExists", "The role assignment already exists.");
        }

        var now = state.Clock.NowText();
        var document = new JsonObject
        {
            ["id"] = id,
            ["type"] = Rbac.RoleAssignmentType,
            ["name"] = name,
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = $"{scopePath.SubscriptionScope}/providers/{Namespace}/roleDefinitions/{role.Id}",
                ["principalId"] = principalId,
                ["principalType"] = principalType ?? PrincipalTypeOf(state, principalId),
                ["scope"] = target.Scope,
                ["condition"] = properties?["condition"]?.DeepClone(),
                ["conditionVersion"] = properties?["conditionVersion"]?.DeepClone(),
                ["createdOn"] = now,
                ["updatedOn"] = now,
                ["createdBy"] = caller.ObjectId,
                ["updatedBy"] = caller.ObjectId,
                ["delegatedManagedIdentityResourceId"] = null,
                ["description"] = properties?["description"]?.DeepClone(),
            },
        };
        state.Store.Put(document);
        return Results.Json(document.DeepClone(), statusCode: 201);
    }

    private static string PrincipalTypeOf(SandboxState state, string principalId) =>
        GraphDirectory.FindUser(state.Scenario, principalId) is not null ? "User" : "ServicePrincipal";

    private sealed record Target(string Scope, string Collection, string? Name);

    /// <summary>{scope}/providers/Microsoft.Authorization/{roleAssignments|roleDefinitions}[/{name}].</summary>
    private static Target? Parse(ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, Namespace);
        if (index < 0 || path.Segments.Length - index is < 3 or > 4)
        {
            return null;
        }

        var collection = path.Segments[index + 2];
        if (!collection.Equals("roleAssignments", StringComparison.OrdinalIgnoreCase) && !collection.Equals("roleDefinitions", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var scope = "/" + string.Join('/', path.Segments[..index]);
        return new Target(scope, collection, path.Segments.Length - index == 4 ? path.Segments[index + 3] : null);
    }

    private static IResult ListAssignments(HttpContext context, SandboxState state, string scope)
    {
        var filter = context.Request.Query["$filter"].ToString();
        var atScopeOnly = false;
        string? principalId = null;
        foreach (var clause in string.IsNullOrWhiteSpace(filter) ? [] : AndSplit().Split(filter.Trim()))
        {
            if (clause.Trim().Equals("atScope()", StringComparison.OrdinalIgnoreCase))
            {
                atScopeOnly = true;
            }
            else if (PrincipalClause().Match(clause.Trim()) is { Success: true } match)
            {
                principalId = match.Groups["id"].Value;
            }
            else
            {
                return ArmErrors.Error(400, "UnsupportedQuery",
                    $"The filter '{filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{{value}}' or assignedTo('{{value}}')'.");
            }
        }

        var assignments = state.Store.OfType(Rbac.RoleAssignmentType)
            .Where(a =>
            {
                var assignmentScope = (string?)a["properties"]?["scope"] ?? "";
                var related = ArmPath.IsAtOrAbove(assignmentScope, scope) || (!atScopeOnly && ArmPath.IsAtOrAbove(scope, assignmentScope));
                return related && (principalId is null || string.Equals((string?)a["properties"]?["principalId"], principalId, StringComparison.OrdinalIgnoreCase));
            })
            .Select(a => (JsonObject)a.DeepClone())
            .OrderBy(a => (string?)a["id"], StringComparer.OrdinalIgnoreCase)
            .ToList();
        return Results.Json(Paging.ArmList(context, assignments, state.Options.ArmPageSize));
    }

    private static IResult RoleDefinitions(HttpContext context, Target target)
    {
        var subscriptionScope = ArmPath.Parse(target.Scope).SubscriptionScope ?? "";
        if (target.Name is { } name)
        {
            var role = BuiltInRoles.Find(name);
            return role is null || !Guid.TryParse(name, out _)
                ? ArmErrors.Error(404, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{name}' does not exist.")
                : Results.Json(RoleDefinitionDocument(role, subscriptionScope));
        }

        var filter = context.Request.Query["$filter"].ToString();
        IEnumerable<RoleDefinition> roles = BuiltInRoles.All;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (RoleNameClause().Match(filter.Trim()) is { Success: true } byName)
            {
                roles = roles.Where(r => r.Name.Equals(byName.Groups["name"].Value, StringComparison.OrdinalIgnoreCase));
            }
            else if (!TypeClause().IsMatch(filter.Trim()))
            {
                return ArmErrors.Error(400, "UnsupportedQuery", $"The filter '{filter}' is not supported. Supported filters are 'roleName eq '{{value}}'' and 'type eq 'BuiltInRole''.");
            }
        }

        return Results.Json(new JsonObject { ["value"] = new JsonArray(roles.Select(r => (JsonNode)RoleDefinitionDocument(r, subscriptionScope)).ToArray()) });
    }

    public static JsonObject RoleDefinitionDocument(RoleDefinition role, string subscriptionScope) => new()
    {
        ["id"] = $"{subscriptionScope}/providers/{Namespace}/roleDefinitions/{role.Id}",
        ["name"] = role.Id,
        ["type"] = RoleDefinitionType,
        ["properties"] = new JsonObject
        {
            ["roleName"] = role.Name,
            ["type"] = "BuiltInRole",
            ["description"] = $"Built-in role '{role.Name}'.",
            ["assignableScopes"] = new JsonArray("/"),
            ["permissions"] = new JsonArray(new JsonObject
            {
                ["actions"] = Strings(role.Actions),
                ["notActions"] = Strings(role.NotActions),
                ["dataActions"] = Strings(role.DataActions),
                ["notDataActions"] = Strings(role.NotDataActions),
            }),
            ["createdOn"] = "2015-02-02T21:55:09.8806423Z",
            ["updatedOn"] = "2025-01-08T16:28:12.3201201Z",
            ["createdBy"] = null,
            ["updatedBy"] = null,
        },
    };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndSplit();

    [GeneratedRegex(@"^(?:principalId\s+eq\s+'?(?<id>[0-9a-fA-F-]{32,36})'?|assignedTo\('(?<id>[0-9a-fA-F-]{32,36})'\))$", RegexOptions.IgnoreCase)]
    private static partial Regex PrincipalClause();

    [GeneratedRegex(@"^roleName\s+eq\s+'(?<name>[^']+)'$", RegexOptions.IgnoreCase)]
    private static partial Regex RoleNameClause();

    [GeneratedRegex(@"^type\s+eq\s+'BuiltInRole'$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeClause();
}
