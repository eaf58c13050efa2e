using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// A Standard app's wwwroot files through ARM's host runtime proxy, the way the portal and the VS Code extension read and
/// edit connections.json, parameters.json and {workflow}/workflow.json:
/// <c>GET|PUT {site}/hostruntime/admin/vfs/{path}?relativePath=1&amp;api-version=2018-11-01</c>. GET returns the file's exact
/// text with an ETag, or for a folder (the root included) the entries of the Functions host's VFS listing; PUT replaces a file
/// and needs <c>If-Match</c> (the ETag, or <c>*</c>) when the file exists. The host's own answers are kept: 404 with the body
/// <c>'C:\home\site\wwwroot\{path}' not found.</c>, 412 <c>missing If-Match</c> / <c>Etag mismatch</c> (bare strings
/// labelled application/json, azure-functions-host VirtualFileSystem.cs), 204 on an update and 201 on a new file. A JSON file
/// must parse (the sandbox's own check). What listWorkflowsConnections returns follows connections.json.
/// RBAC actions (modelled, not confirmed): <c>Microsoft.Web/sites/hostruntime/vfs/read|write</c>.
/// </summary>
public static class HostRuntimeFileRoutes
{
    private const string SiteType = "Microsoft.Web/sites";

    /// <summary>Where the Functions host's VFS puts wwwroot on a Windows plan (relativePath=1); assumed, see Scenarios/README.md.</summary>
    public const string WwwRoot = @"C:\home\site\wwwroot";

    public static async Task<IResult?> TryHandleAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.Web");
        var isGet = HttpMethods.IsGet(context.Request.Method);
        var isPut = HttpMethods.IsPut(context.Request.Method);
        if (index < 0 || (!isGet && !isPut) || path.Segments.Length < index + (isGet ? 7 : 8)
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

        var outside = fileName.Split('/').Any(segment => segment is "." or "..");
        var current = outside ? null : state.Store.GetSiteFileText(siteId, fileName);
        if (isGet)
        {
            if (current is null)
            {
                return !outside && IsFolder(state, siteId, fileName) ? Results.Json(Listing(context, state, siteId, fileName)) : NotFound(fileName);
            }

            context.Response.Headers.ETag = ETagOf(current);
            return Results.Text(current, "application/json", Encoding.UTF8);
        }

        if (outside || IsFolder(state, siteId, fileName))
        {
            return HostText(409, outside ? $"'{LocalPath(fileName)}' is outside the app's wwwroot." : $"'{LocalPath(fileName)}' is a folder.");
        }

        var ifMatch = context.Request.Headers.IfMatch.ToString();
        if (current is not null && ifMatch.Length == 0)
        {
            return HostText(412, "missing If-Match");
        }

        if (current is not null && ifMatch != "*" && ifMatch != ETagOf(current))
        {
            context.Response.Headers.ETag = ETagOf(current);
            return HostText(412, "Etag mismatch");
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !IsJsonObject(text))
        {
            return ArmErrors.Error(400, "InvalidRequestContent", $"'{fileName}' must be a JSON object; the file was not changed.");
        }

        state.Store.PutSiteFileText(siteId, fileName, text);
        context.Response.Headers.ETag = ETagOf(text);
        return current is null ? Results.StatusCode(201) : Results.NoContent();
    }

    /// <summary>The host's answer for a path that names no file or folder.</summary>
    public static IResult NotFound(string fileName) => HostText(404, $"'{LocalPath(fileName)}' not found.");

    private static string LocalPath(string fileName) =>
        fileName.Length == 0 ? WwwRoot : WwwRoot + "\\" + fileName.Replace('/', '\\');

    /// <summary>The Functions host answers errors with a bare string labelled application/json.</summary>
    private static IResult HostText(int status, string text) => Results.Text(text, "application/json", Encoding.UTF8, status);

    private static bool IsFolder(SandboxState state, string siteId, string folder) =>
        folder.Length == 0 || state.Store.SiteFileNames(siteId).Any(name => name.StartsWith(folder + "/", StringComparison.OrdinalIgnoreCase));

    /// <summary>The VFS listing of a folder: one entry per file or sub-folder right under it (VfsStatEntry: name, size, mtime,
    /// crtime, mime, href, path), folders with mime inode/directory and an href ending in '/'.</summary>
    private static JsonArray Listing(HttpContext context, SandboxState state, string siteId, string folder)
    {
        var prefix = folder.Length == 0 ? "" : folder + "/";
        var baseAddress = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{siteId}/hostruntime/admin/vfs/{prefix}";
        var query = context.Request.QueryString.Value ?? "";
        var time = Hosting.SandboxClock.ArmTime(state.Clock.GetUtcNow().AddDays(-1));
        var entries = new JsonArray();
        foreach (var group in state.Store.SiteFileNames(siteId)
                     .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                     .Select(name => name[prefix.Length..])
                     .GroupBy(rest => rest.Split('/')[0], StringComparer.OrdinalIgnoreCase))
        {
            var isFolder = group.Any(rest => rest.Contains('/'));
            var size = isFolder ? 0 : Encoding.UTF8.GetByteCount(state.Store.GetSiteFileText(siteId, prefix + group.Key) ?? "");
            entries.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["size"] = size,
                ["mtime"] = time,
                ["crtime"] = time,
                ["mime"] = isFolder ? "inode/directory" : group.Key.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "application/octet-stream",
                ["href"] = baseAddress + Uri.EscapeDataString(group.Key) + (isFolder ? "/" : "") + query,
                ["path"] = LocalPath(prefix + group.Key),
            });
        }

        return entries;
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
