using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// A Standard app's wwwroot files through ARM's host runtime proxy, the way the portal edits connections.json:
/// <c>GET|PUT {site}/hostruntime/admin/vfs/{file}?relativePath=1&amp;api-version=2018-11-01</c>. GET returns the file's
/// exact text with an ETag; PUT replaces it and needs <c>If-Match</c> (the ETag, or <c>*</c>) when the file exists,
/// answering 412 when the ETag is stale. A JSON file must parse. What listWorkflowsConnections returns follows the file.
/// RBAC actions (modelled, not confirmed): <c>Microsoft.Web/sites/hostruntime/vfs/read|write</c>.
/// </summary>
public static class HostRuntimeFileRoutes
{
    private const string SiteType = "Microsoft.Web/sites";

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.Web");
        var isGet = HttpMethods.IsGet(context.Request.Method);
        var isPut = HttpMethods.IsPut(context.Request.Method);
        if (index < 0 || (!isGet && !isPut) || path.Segments.Length < index + 8
            || !path.Segments[index + 2].Equals("sites", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[index + 4].Equals("hostruntime", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[index + 5].Equals("admin", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[index + 6].Equals("vfs", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var siteId = "/" + string.Join('/', path.Segments[..(index + 4)]);
        var fileName = string.Join('/', path.Segments[(index + 7)..]);
        var action = $"{SiteType}/hostruntime/vfs/{(isGet ? "read" : "write")}";
        if (ArmRoutes.Authorize(state, caller, action, siteId) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (!state.Store.Exists(siteId))
        {
            return ArmApi.NotFound(siteId);
        }

        var current = state.Store.GetSiteFileText(siteId, fileName);
        if (isGet)
        {
            if (current is null)
            {
                return ArmErrors.Error(404, "NotFound", $"The file '{fileName}' was not found in the app's wwwroot.");
            }

            context.Response.Headers.ETag = ETagOf(current);
            return Results.Text(current, "application/json", Encoding.UTF8);
        }

        var ifMatch = context.Request.Headers.IfMatch.ToString();
        if (current is not null && ifMatch.Length == 0)
        {
            return ArmErrors.Error(412, "PreconditionFailed", $"'{fileName}' exists: an If-Match header (its ETag, or *) is required to overwrite it.");
        }

        if (current is not null && ifMatch != "*" && ifMatch != ETagOf(current))
        {
            return ArmErrors.Error(412, "PreconditionFailed", $"'{fileName}' was changed since it was read (ETag {ifMatch} is now {ETagOf(current)}).");
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !IsJsonObject(text))
        {
            return ArmErrors.Error(400, "InvalidRequestContent", $"'{fileName}' must be a JSON object; the file was not changed.");
        }

        state.Store.PutSiteFileText(siteId, fileName, text);
        context.Response.Headers.ETag = ETagOf(text);
        return Results.NoContent();
    }

    public static string ETagOf(string text) =>
        "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8).ToLowerInvariant() + "\"";

    private static bool IsJsonObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
