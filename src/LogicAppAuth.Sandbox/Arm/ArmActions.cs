using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>Provider actions: <c>POST {resourceId}/{action}</c>.</summary>
public static class ArmActions
{
    private delegate IResult ActionHandler(SandboxState state, JsonObject target);

    private static readonly Dictionary<string, ActionHandler> Handlers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Web/sites/listWorkflowsConnections"] = ListWorkflowsConnections,
    };

    public static IResult Invoke(HttpContext context, SandboxState state, Caller caller, ArmPath path)
    {
        var targetId = ArmPath.Parent(path.Path);
        var target = ArmPath.Parse(targetId);
        var actionName = path.Segments[^1];
        if (target.IsCollection || !Handlers.TryGetValue($"{target.ResourceType}/{actionName}", out var handler))
        {
            return ArmErrors.Error(404, "NotFound", $"The sandbox does not implement POST '{path.Path}'.");
        }

        var action = $"{target.ResourceType}/{actionName}/action";
        if (!state.Rbac.IsAllowed(caller.ObjectId, action, targetId))
        {
            return ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, action, targetId);
        }

        if (target.ResourceGroupScope is { } group && !state.Store.Exists(group))
        {
            return ArmErrors.ResourceGroupNotFound(target.ResourceGroupName!);
        }

        return state.Store.Get(targetId) is { } document ? handler(state, document) : ArmApi.NotFound(targetId);
    }

    private static IResult ListWorkflowsConnections(SandboxState state, JsonObject site)
    {
        var siteId = (string)site["id"]!;
        var files = new JsonObject();
        if (state.Store.GetSiteFile(siteId, "connections.json") is { } connections)
        {
            files["connections.json"] = connections;
        }

        return Results.Json(new JsonObject
        {
            ["id"] = siteId + "/workflowconfigurations/connections",
            ["name"] = $"{site["name"]}/connections",
            ["type"] = "Microsoft.Web/sites/workflowsconfiguration",
            ["location"] = site["location"]?.DeepClone(),
            ["properties"] = new JsonObject
            {
                ["files"] = files,
                ["health"] = new JsonObject { ["state"] = "Healthy" },
            },
        });
    }
}
