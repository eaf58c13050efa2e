using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Graph;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// OAuth consent for delegated connections: <c>POST {connection}/listConsentLinks</c> returns a link to the
/// sandbox's consent page (<c>GET /_sandbox/consent?connection=..&amp;state=..</c>), which stands in for the
/// user's sign-in and redirects to the caller's redirectUrl with <c>?code=...</c>; <c>POST
/// {connection}/confirmConsentCode</c> with that code makes the connection Connected.
/// </summary>
public static class ConsentRoutes
{
    public const string ConsentPath = SandboxRoutes.Prefix + "/consent";

    public static void MapConsentPage(WebApplication app) =>
        app.MapGet(ConsentPath, (HttpContext context, SandboxState state) =>
        {
            var stateToken = context.Request.Query["state"].ToString();
            if (state.Runtime.CompleteConsent(stateToken) is not { } completed)
            {
                return Results.Json(new { error = "invalid_request", error_description = "Unknown or already used consent state." }, statusCode: 400);
            }

            var redirect = completed.Consent.RedirectUrl;
            if (string.IsNullOrEmpty(redirect))
            {
                return Results.Json(new { code = completed.Code, state = stateToken });
            }

            var separator = redirect.Contains('?') ? '&' : '?';
            return Results.Redirect($"{redirect}{separator}code={Uri.EscapeDataString(completed.Code)}&state={stateToken}");
        });

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || path.Segments.Length < 2)
        {
            return null;
        }

        var actionName = path.Segments[^1];
        var isList = actionName.Equals("listConsentLinks", StringComparison.OrdinalIgnoreCase);
        var isConfirm = actionName.Equals("confirmConsentCode", StringComparison.OrdinalIgnoreCase);
        var connectionId = ArmPath.Parent(path.Path);
        if ((!isList && !isConfirm) || !ArmPath.Parse(connectionId).ResourceType.Equals("Microsoft.Web/connections", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (ArmRoutes.Authorize(state, caller, $"Microsoft.Web/connections/{actionName}/action", connectionId) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (state.Store.Get(connectionId) is not { } connection)
        {
            return ArmApi.NotFound(connectionId);
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        return isList ? ListConsentLinks(context, state, connection, body) : ConfirmConsentCode(state, connection, body);
    }

    private static IResult ListConsentLinks(HttpContext context, SandboxState state, JsonObject connection, JsonObject body)
    {
        var parameters = body["parameters"] switch
        {
            JsonArray array => array.OfType<JsonObject>().ToList(),
            JsonObject single => [single],
            _ => [],
        };
        if (parameters.Count == 0)
        {
            return ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid: 'parameters' with at least one { parameterName, redirectUrl } is required.");
        }

        var baseUrl = state.Runtime.BaseUrl ?? $"{context.Request.Scheme}://{context.Request.Host}";
        var connectionId = (string)connection["id"]!;
        var connected = string.Equals((string?)connection["properties"]?["statuses"]?[0]?["status"], "Connected", StringComparison.OrdinalIgnoreCase);
        var links = new JsonArray();
        foreach (var parameter in parameters)
        {
            var stateToken = state.Runtime.BeginConsent(connectionId, (string?)parameter["redirectUrl"], (string?)parameter["objectId"], (string?)parameter["tenantId"]);
            var link = $"{baseUrl}{ConsentPath}?connection={Uri.EscapeDataString(connectionId)}&state={stateToken}";
            links.Add(new JsonObject
            {
                ["link"] = link,
                ["firstPartyLoginUri"] = link + "&firstParty=true",
                ["displayName"] = (string?)connection["properties"]?["api"]?["displayName"] ?? (string?)connection["name"],
                ["status"] = connected ? "Authenticated" : "Unauthenticated",
            });
        }

        return Results.Json(new JsonObject { ["value"] = links });
    }

    private static IResult ConfirmConsentCode(SandboxState state, JsonObject connection, JsonObject body)
    {
        var connectionId = (string)connection["id"]!;
        var code = (string?)body["code"];
        if (string.IsNullOrEmpty(code) || !state.Runtime.RedeemCode(connectionId, code))
        {
            return ArmErrors.Error(400, "InvalidConsentCode",
                $"The consent code is not valid for connection '{connection["name"]}'. Request a new consent link with listConsentLinks and sign in again.");
        }

        var objectId = (string?)body["objectId"];
        var tenantId = (string?)body["tenantId"] ?? state.Scenario.HomeTenantId;
        var user = string.IsNullOrEmpty(objectId) ? null : GraphDirectory.FindUser(state.Scenario, objectId);
        var properties = (JsonObject)connection["properties"]!;
        var userName = (string?)user?["userPrincipalName"] ?? objectId ?? (string?)properties["authenticatedUser"]?["name"];
        properties["statuses"] = new JsonArray(new JsonObject { ["status"] = "Connected" });
        properties["overallStatus"] = "Connected";
        properties["authenticatedUser"] = userName is null ? new JsonObject() : new JsonObject { ["name"] = userName };
        var values = properties["nonSecretParameterValues"] as JsonObject ?? new JsonObject();
        values["token:TenantId"] = tenantId;
        values["token:grantType"] = "code";
        properties["nonSecretParameterValues"] = values;
        if (userName is not null)
        {
            properties["displayName"] = userName;
        }

        properties["changedTime"] = state.Clock.NowText();
        connection["etag"] = $"\"{Guid.NewGuid()}\"";
        state.Store.Put(connection);
        return Results.Json(connection.DeepClone());
    }
}
