using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Arm;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>Microsoft Graph v1.0 routes over the scenario's directory (users, applications).</summary>
public sealed class GraphApi(SandboxState state, AccessCheck access)
{
    /// <summary>What v1.0 returns for a user when no $select is given (accountEnabled is not among them).</summary>
    private static readonly string[] DefaultUserProperties =
    [
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
        "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
    ];

    private static readonly string[] UserReadRoles = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ApplicationReadRoles = ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    public static void Map(WebApplication app)
    {
        app.MapGet("/v1.0/users/{id}", (HttpContext context, string id, GraphApi api) => api.GetUserAsync(context, id));
        app.MapGet("/v1.0/applications", (HttpContext context, GraphApi api) => api.ListApplicationsAsync(context));
    }

    private async Task<IResult> GetUserAsync(HttpContext context, string id)
    {
        var (caller, failure) = await AuthorizeAsync(context, UserReadRoles);
        if (caller is null)
        {
            return failure!;
        }

        var user = Directory(caller).Users.FirstOrDefault(u =>
            string.Equals((string?)u["id"], id, StringComparison.OrdinalIgnoreCase) ||
            string.Equals((string?)u["userPrincipalName"], id, StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            return GraphErrors.NotFound(context, id);
        }

        var select = Select(context) ?? DefaultUserProperties;
        var body = Project(user, select);
        body.Insert(0, "@odata.context", $"{BaseUrl(context)}/v1.0/$metadata#users{SelectSuffix(context)}/$entity");
        return Results.Json(body);
    }

    private async Task<IResult> ListApplicationsAsync(HttpContext context)
    {
        var (caller, failure) = await AuthorizeAsync(context, ApplicationReadRoles);
        if (caller is null)
        {
            return failure!;
        }

        var select = Select(context);
        var all = Directory(caller).Applications.Select(a => select is null ? (JsonObject)a.DeepClone() : Project(a, select)).ToList();
        var (items, nextLink) = Paging.Page(context, all, state.Options.GraphPageSize);
        var body = new JsonObject
        {
            ["@odata.context"] = $"{BaseUrl(context)}/v1.0/$metadata#applications{SelectSuffix(context)}",
            ["value"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        };
        if (nextLink is not null)
        {
            body["@odata.nextLink"] = nextLink;
        }

        return Results.Json(body);
    }

    private async Task<(Caller? Caller, IResult? Failure)> AuthorizeAsync(HttpContext context, string[] anyOfRoles)
    {
        var result = await access.GraphAsync(context);
        if (result.Caller is not { } caller)
        {
            return (null, result.Failure);
        }

        var roles = caller.Principal?.GraphAppRoles ?? [];
        return roles.Any(r => anyOfRoles.Contains(r, StringComparer.OrdinalIgnoreCase))
            ? (caller, null)
            : (null, GraphErrors.Forbidden(context));
    }

    /// <summary>The scenario's directory belongs to its home tenant; other tenants' tokens see an empty one.</summary>
    private Scenarios.ScenarioGraph Directory(Caller caller) =>
        caller.TenantId.Equals(state.Scenario.HomeTenantId, StringComparison.OrdinalIgnoreCase) ? state.Scenario.Graph : new();

    private static string[]? Select(HttpContext context)
    {
        var select = context.Request.Query["$select"].ToString();
        return string.IsNullOrWhiteSpace(select)
            ? null
            : select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static string SelectSuffix(HttpContext context) =>
        Select(context) is { } select ? "(" + string.Join(',', select) + ")" : "";

    private static JsonObject Project(JsonObject source, IEnumerable<string> properties)
    {
        var result = new JsonObject();
        foreach (var property in properties)
        {
            var match = source.FirstOrDefault(p => p.Key.Equals(property, StringComparison.OrdinalIgnoreCase));
            result[match.Key ?? property] = match.Value?.DeepClone();
        }

        return result;
    }

    private static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
}
