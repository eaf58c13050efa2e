using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// The connection runtime behind a connection's testLinks and testRequests:
/// <c>GET {connectionId}/extensions/proxy/{path}</c> (testconnection: 200 <c>{}</c>, or the connector's
/// 401/400 with the connection's error) and <c>POST {connectionId}/dynamicInvoke</c> (always 200, the
/// connector's answer wrapped in <c>response</c>). Both only read. Reader may not call them: they are
/// actions (<c>Microsoft.Web/connections/extensions/proxy/action</c>, <c>.../dynamicInvoke/action</c>).
/// </summary>
public static class RuntimeRoutes
{
    private const string ConnectionType = "Microsoft.Web/connections";

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.Web");
        if (index < 0 || path.Segments.Length < index + 5 || !path.Segments[index + 2].Equals("connections", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var connectionId = "/" + string.Join('/', path.Segments[..(index + 4)]);
        var rest = path.Segments[(index + 4)..];
        var isProxy = HttpMethods.IsGet(context.Request.Method) && rest.Length >= 3
            && rest[0].Equals("extensions", StringComparison.OrdinalIgnoreCase) && rest[1].Equals("proxy", StringComparison.OrdinalIgnoreCase);
        var isDynamicInvoke = HttpMethods.IsPost(context.Request.Method) && rest.Length == 1 && rest[0].Equals("dynamicInvoke", StringComparison.OrdinalIgnoreCase);
        if (!isProxy && !isDynamicInvoke)
        {
            return null;
        }

        var action = ConnectionType + (isProxy ? "/extensions/proxy/action" : "/dynamicInvoke/action");
        if (ArmRoutes.Authorize(state, caller, action, connectionId) is { } denied)
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

        var health = ConnectionHealth.Evaluate(state, connection);
        if (isProxy)
        {
            return health.Ok
                ? Results.Json(new JsonObject())
                : ArmErrors.Error(health.HttpStatus, health.Code, health.Message);
        }

        var (body, error) = await ArmRoutes.ReadBodyAsync(context);
        if (body is null)
        {
            return error!;
        }

        if (body["request"] is not JsonObject)
        {
            return ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid: 'request' with 'method' and 'path' is required.");
        }

        return Results.Json(new JsonObject
        {
            ["response"] = new JsonObject
            {
                ["statusCode"] = health.Ok ? "OK" : health.HttpStatus == 400 ? "BadRequest" : "Unauthorized",
                ["headers"] = new JsonObject(),
                ["body"] = health.Ok
                    ? new JsonObject()
                    : new JsonObject { ["error"] = new JsonObject { ["code"] = health.Code, ["message"] = health.Message } },
            },
        });
    }
}
