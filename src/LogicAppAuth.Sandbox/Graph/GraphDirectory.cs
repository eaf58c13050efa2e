using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>One Graph request, from HTTP or from inside a <c>$batch</c>: path relative to /v1.0.</summary>
public sealed record GraphCall(string Method, string Path, GraphQuery Query, string BaseUrl, Caller Caller, string? ClientRequestId);

/// <summary>What a Graph handler answers: status and JSON body (null for no content).</summary>
public sealed record GraphResult(int Status, JsonObject? Body);

/// <summary>
/// The directory routes of Microsoft Graph v1.0 over the scenario's home tenant: users,
/// applications, servicePrincipals and their appRoleAssignments, with $filter/$select/$top/paging and
/// the app-role checks Graph makes on application tokens.
/// </summary>
public sealed class GraphDirectory(SandboxState state)
{
    public const string MicrosoftGraphAppId = "00000003-0000-0000-c000-000000000000";

    public static readonly string[] UserReadRoles = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    public static readonly string[] ApplicationReadRoles = ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    /// <summary>Microsoft Graph's application permissions (app role ids of the Microsoft Graph service principal).</summary>
    public static readonly IReadOnlyDictionary<string, string> GraphAppRoleIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["User.Read.All"] = "df021288-bdef-4463-88db-98f22de89214",
        ["User.ReadWrite.All"] = "741f803b-c850-494e-b5df-cde7c675a1ca",
        ["Application.Read.All"] = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
        ["Application.ReadWrite.All"] = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        ["Directory.Read.All"] = "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
        ["Directory.ReadWrite.All"] = "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    };

    /// <summary>What v1.0 returns for a user when no $select is given (accountEnabled is not among them).</summary>
    /// <summary>How long before the anchor the scenario's Graph permissions were granted.</summary>
    private static readonly TimeSpan GraphPermissionAge = TimeSpan.FromDays(635);

    private static readonly string[] DefaultUserProperties =
    [
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
        "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
    ];

    public GraphResult Handle(GraphCall call)
    {
        if (!call.Method.Equals("GET", StringComparison.OrdinalIgnoreCase))
        {
            return Error(call, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
        }

        var segments = call.Path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return Error(call, 400, "BadRequest", "Invalid request.");
        }

        var (set, keyProperty, key) = ParseEntitySegment(segments[0]);
        if (segments.Length > 1 && key is null)
        {
            key = segments[1];
            keyProperty = "id";
            segments = [segments[0], .. segments[2..]];
        }

        var navigation = segments.Length > 1 ? segments[1] : null;
        if (segments.Length > 2)
        {
            return Error(call, 400, "BadRequest", $"Resource not found for the segment '{segments[2]}'.");
        }

        switch (set.ToLowerInvariant())
        {
            case "me":
                return Error(call, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
            case "users":
                return Require(call, UserReadRoles) ?? (navigation is null
                    ? Entities(call, "users", Users(call.Caller), keyProperty, key, u => ProjectUser(u, call.Query.Select))
                    : Error(call, 400, "BadRequest", $"Resource not found for the segment '{navigation}'."));
            case "applications":
                return Require(call, ApplicationReadRoles) ?? (navigation is null
                    ? Entities(call, "applications", Applications(call.Caller), keyProperty, key, a => Project(GraphDefaults.Application(a), call.Query.Select))
                    : Error(call, 400, "BadRequest", $"Resource not found for the segment '{navigation}'."));
            case "serviceprincipals":
                if (Require(call, ApplicationReadRoles) is { } denied)
                {
                    return denied;
                }

                if (navigation is null)
                {
                    return Entities(call, "servicePrincipals", ServicePrincipals(call.Caller), keyProperty, key, s => Project(GraphDefaults.ServicePrincipal(s), call.Query.Select));
                }

                if (navigation.Equals("appRoleAssignments", StringComparison.OrdinalIgnoreCase) && key is not null)
                {
                    var sp = Find(ServicePrincipals(call.Caller), keyProperty!, key);
                    if (sp is null)
                    {
                        return Error(call, 404, "Request_ResourceNotFound", NotFoundMessage(key));
                    }

                    var spId = (string)sp["id"]!;
                    return List(call, $"servicePrincipals('{spId}')/appRoleAssignments", AppRoleAssignments(call.Caller, spId), a => Project(a, call.Query.Select));
                }

                return Error(call, 400, "BadRequest", $"Resource not found for the segment '{navigation}'.");
            default:
                return Error(call, 400, "BadRequest", $"Resource not found for the segment '{set}'.");
        }
    }

    /// <summary>Adds a managed identity's service principal (when a logic app's identity is enabled), so
    /// role assignments and Graph lookups can name it. Idempotent.</summary>
    public static void RegisterManagedIdentity(Scenario scenario, string objectId, string appId, string displayName, string resourceId, DateTimeOffset now)
    {
        lock (scenario.Graph)
        {
            if (scenario.Graph.ServicePrincipals.Any(s => string.Equals((string?)s["id"], objectId, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            scenario.Graph.ServicePrincipals.Add(new JsonObject
            {
                ["id"] = objectId,
                ["appId"] = appId,
                ["displayName"] = displayName,
                ["servicePrincipalType"] = "ManagedIdentity",
                ["accountEnabled"] = true,
                ["alternativeNames"] = new JsonArray("isExplicit=False", resourceId),
                ["servicePrincipalNames"] = new JsonArray(appId, $"https://identity.azure.net/{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(resourceId)))}"),
                ["createdDateTime"] = GraphTime(now),
            });
        }
    }

    /// <summary>True when the directory holds a user or service principal with this object id.</summary>
    public static bool PrincipalExists(Scenario scenario, string objectId)
    {
        lock (scenario.Graph)
        {
            return scenario.Graph.Users.Concat(scenario.Graph.ServicePrincipals)
                       .Any(o => string.Equals((string?)o["id"], objectId, StringComparison.OrdinalIgnoreCase))
                   || scenario.FindPrincipalByObjectId(objectId) is not null;
        }
    }

    public static JsonObject? FindUser(Scenario scenario, string idOrUpn)
    {
        lock (scenario.Graph)
        {
            return Find(scenario.Graph.Users, "id", idOrUpn) is { } user ? (JsonObject)user.DeepClone() : null;
        }
    }

    private GraphResult? Require(GraphCall call, string[] anyOfRoles)
    {
        var roles = call.Caller.Principal?.GraphAppRoles ?? [];
        return roles.Any(r => anyOfRoles.Contains(r, StringComparer.OrdinalIgnoreCase))
            ? null
            : Error(call, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }

    private GraphResult Entities(GraphCall call, string set, List<JsonObject> all, string? keyProperty, string? key, Func<JsonObject, JsonObject> project)
    {
        if (key is null)
        {
            return List(call, set, all, project);
        }

        var entity = Find(all, keyProperty!, key);
        if (entity is null)
        {
            return Error(call, 404, "Request_ResourceNotFound", NotFoundMessage(key));
        }

        var body = project(entity);
        body.Insert(0, "@odata.context", $"{call.BaseUrl}/v1.0/$metadata#{set}{SelectSuffix(call.Query)}/$entity");
        return new GraphResult(200, body);
    }

    private GraphResult List(GraphCall call, string contextPath, List<JsonObject> all, Func<JsonObject, JsonObject> project)
    {
        Func<JsonObject, bool>? filter;
        try
        {
            filter = call.Query.Filter();
        }
        catch (FormatException e)
        {
            return Error(call, 400, "BadRequest", e.Message);
        }

        var (pageSize, topError) = call.Query.PageSize(state.Options.GraphPageSize, state.Options.PageSize);
        if (topError is not null)
        {
            return Error(call, 400, "Request_UnsupportedQuery", topError);
        }

        var matching = filter is null ? all : all.Where(filter).ToList();
        var offset = call.Query.Offset;
        var page = matching.Skip(offset).Take(pageSize).Select(project).ToList();
        var body = new JsonObject { ["@odata.context"] = $"{call.BaseUrl}/v1.0/$metadata#{contextPath}{SelectSuffix(call.Query)}" };
        if (call.Query.Count && offset == 0)
        {
            body["@odata.count"] = matching.Count;
        }

        if (offset + page.Count < matching.Count)
        {
            body["@odata.nextLink"] = NextLink(call, offset + page.Count);
        }

        body["value"] = new JsonArray(page.Select(p => (JsonNode)p).ToArray());
        return new GraphResult(200, body);
    }

    private static string NextLink(GraphCall call, int offset)
    {
        var parts = call.Query.Parameters
            .Where(p => !p.Key.Equals("$skiptoken", StringComparison.OrdinalIgnoreCase))
            .Select(p => $"{Escape(p.Key)}={Escape(p.Value)}")
            .Append("$skiptoken=" + GraphQuery.EncodeSkipToken(offset));
        return $"{call.BaseUrl}/v1.0/{call.Path.Trim('/')}?{string.Join('&', parts)}";

        static string Escape(string text) => Uri.EscapeDataString(text).Replace("%24", "$");
    }

    private List<JsonObject> Users(Caller caller) => Snapshot(caller, g => g.Users);

    private List<JsonObject> Applications(Caller caller) => Snapshot(caller, g => g.Applications);

    private List<JsonObject> ServicePrincipals(Caller caller) => Snapshot(caller, g => g.ServicePrincipals);

    /// <summary>The scenario's directory belongs to its home tenant; other tenants' tokens see an empty one.</summary>
    private List<JsonObject> Snapshot(Caller caller, Func<ScenarioGraph, List<JsonObject>> select)
    {
        if (!caller.TenantId.Equals(state.Scenario.HomeTenantId, StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        lock (state.Scenario.Graph)
        {
            return [.. select(state.Scenario.Graph)];
        }
    }

    /// <summary>Graph application permissions granted to a service principal, from the scenario
    /// principals' graphAppRoles (the roles their tokens carry).</summary>
    private List<JsonObject> AppRoleAssignments(Caller caller, string servicePrincipalId)
    {
        var principal = state.Scenario.FindPrincipalByObjectId(servicePrincipalId);
        if (principal is null || principal.GraphAppRoles.Count == 0)
        {
            return [];
        }

        var graphSp = ServicePrincipals(caller).FirstOrDefault(s => string.Equals((string?)s["appId"], MicrosoftGraphAppId, StringComparison.OrdinalIgnoreCase));
        var resourceId = (string?)graphSp?["id"] ?? ScenarioSeeder.DeterministicGuid("msgraph|" + state.Scenario.HomeTenantId).ToString();
        return principal.GraphAppRoles.Select(role => new JsonObject
        {
            ["id"] = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($"{servicePrincipalId}|{role}")))[..43],
            ["deletedDateTime"] = null,
            ["appRoleId"] = GraphAppRoleIds.TryGetValue(role, out var roleId) ? roleId : ScenarioSeeder.DeterministicGuid("approle|" + role).ToString(),
            ["createdDateTime"] = GraphTime(state.Scenario.TimeAnchor - GraphPermissionAge),
            ["principalDisplayName"] = principal.DisplayName,
            ["principalId"] = servicePrincipalId,
            ["principalType"] = "ServicePrincipal",
            ["resourceDisplayName"] = "Microsoft Graph",
            ["resourceId"] = resourceId,
        }).ToList();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>users/{key} matches id or userPrincipalName; other sets match id; (appId='x') matches appId.</summary>
    private static JsonObject? Find(List<JsonObject> all, string keyProperty, string key) =>
        all.FirstOrDefault(o =>
            string.Equals((string?)o[keyProperty], key, StringComparison.OrdinalIgnoreCase) ||
            (keyProperty == "id" && string.Equals((string?)o["userPrincipalName"], key, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Reads <c>users</c>, <c>users('upn')</c>, <c>applications(appId='x')</c>.</summary>
    private static (string Set, string? KeyProperty, string? Key) ParseEntitySegment(string segment)
    {
        var open = segment.IndexOf('(');
        if (open < 0 || !segment.EndsWith(')'))
        {
            return (segment, null, null);
        }

        var set = segment[..open];
        var inner = segment[(open + 1)..^1];
        var property = "id";
        var equals = inner.IndexOf('=');
        if (equals > 0 && !inner.StartsWith('\''))
        {
            property = inner[..equals].Trim();
            inner = inner[(equals + 1)..].Trim();
        }

        var key = inner.Trim().Trim('\'').Replace("''", "'");
        return (set, property, key);
    }

    private static JsonObject ProjectUser(JsonObject user, string[]? select) => Project(user, select ?? DefaultUserProperties);

    private static JsonObject Project(JsonObject source, string[]? properties)
    {
        if (properties is null)
        {
            return (JsonObject)source.DeepClone();
        }

        var result = new JsonObject();
        foreach (var property in properties)
        {
            var match = source.FirstOrDefault(p => p.Key.Equals(property, StringComparison.OrdinalIgnoreCase));
            result[match.Key ?? property] = match.Value?.DeepClone();
        }

        return result;
    }

    private static string SelectSuffix(GraphQuery query) =>
        query.Select is { } select ? "(" + string.Join(',', select) + ")" : "";

    private static string NotFoundMessage(string id) =>
        $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.";

    private static GraphResult Error(GraphCall call, int status, string code, string message) =>
        new(status, GraphErrors.Body(code, message, call.ClientRequestId));

    private static string GraphTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
