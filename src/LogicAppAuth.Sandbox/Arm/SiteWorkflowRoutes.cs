using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// A Standard app's workflows through ARM (WebApps_ListWorkflows / WebApps_GetWorkflow, type
/// <c>Microsoft.Web/sites/workflows</c>): <c>GET {site}/workflows</c> lists one envelope per <c>{name}/workflow.json</c> in
/// the app's wwwroot (name <c>{app}/{workflow}</c>, kind Stateful or Stateless from the file, <c>flowState</c> Disabled when
/// the app setting <c>Workflows.{name}.FlowState</c> says so); <c>GET {site}/workflows/{name}</c> adds
/// <c>properties.files</c> with workflow.json and connections.json as the spec example shows. Needs
/// <c>Microsoft.Web/sites/workflows/read</c>.
/// </summary>
public static class SiteWorkflowRoutes
{
    public static IResult? TryHandle(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var index = ArmRoutes.ProviderIndex(path, "Microsoft.Web");
        if (index < 0 || !HttpMethods.IsGet(context.Request.Method)
            || (path.Segments.Length != index + 5 && path.Segments.Length != index + 6)
            || !path.Segments[index + 2].Equals("sites", StringComparison.OrdinalIgnoreCase)
            || !path.Segments[index + 4].Equals("workflows", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var siteId = "/" + string.Join('/', path.Segments[..(index + 4)]);
        var workflowName = path.Segments.Length == index + 6 ? path.Segments[index + 5] : null;
        if (ArmRoutes.Authorize(state, caller, "Microsoft.Web/sites/workflows/read", path.Path) is { } denied)
        {
            return denied;
        }

        if (ArmRoutes.RequireResourceGroup(state, path) is { } missingGroup)
        {
            return missingGroup;
        }

        if (state.Store.Get(siteId) is not { } site)
        {
            return ArmApi.NotFound(siteId);
        }

        if (workflowName is null)
        {
            var names = state.Store.SiteFileNames(siteId)
                .Where(f => f.EndsWith("/workflow.json", StringComparison.OrdinalIgnoreCase) && f.Count(c => c == '/') == 1)
                .Select(f => f[..f.IndexOf('/')]);
            return Results.Json(Paging.ArmList(context, names.Select(n => Envelope(state, site, n, withFiles: false)).ToList(), state.Options.ArmPageSize));
        }

        return state.Store.GetSiteFileText(siteId, workflowName + "/workflow.json") is null
            ? ArmApi.NotFound(path.Path)
            : Results.Json(Envelope(state, site, workflowName, withFiles: true));
    }

    private static JsonObject Envelope(SandboxState state, JsonObject site, string name, bool withFiles)
    {
        var siteId = (string)site["id"]!;
        var workflow = state.Store.GetSiteFile(siteId, name + "/workflow.json");
        var settings = state.Store.GetAppSettings(siteId);
        var disabled = settings is not null && settings.TryGetValue($"Workflows.{name}.FlowState", out var flowState)
            && flowState.Equals("Disabled", StringComparison.OrdinalIgnoreCase);
        var properties = new JsonObject();
        if (withFiles)
        {
            var files = new JsonObject { ["workflow.json"] = workflow?.DeepClone() };
            if (state.Store.GetSiteFile(siteId, "connections.json") is { } connections)
            {
                files["connections.json"] = connections;
            }

            properties["files"] = files;
        }

        properties["flowState"] = disabled ? "Disabled" : "Enabled";
        properties["health"] = workflow is null
            ? new JsonObject { ["state"] = "Unhealthy", ["error"] = new JsonObject { ["code"] = "InvalidWorkflowJson", ["message"] = "The workflow.json file is not a JSON object." } }
            : new JsonObject { ["state"] = "Healthy" };
        return new JsonObject
        {
            ["id"] = $"{siteId}/workflows/{name}",
            ["name"] = $"{site["name"]}/{name}",
            ["type"] = "Microsoft.Web/sites/workflows",
            ["kind"] = (string?)workflow?["kind"] ?? "Stateful",
            ["location"] = site["location"]?.DeepClone(),
            ["properties"] = properties,
        };
    }
}
