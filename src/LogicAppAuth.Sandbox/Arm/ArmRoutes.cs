using System.Text.Json;
using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// ARM routes beyond plain document reads, tried before <see cref="ArmApi"/>'s generic handling:
/// RBAC (role assignments and definitions), the connection runtime (testconnection, dynamicInvoke),
/// Standard apps' files (connections.json, parameters.json and workflows through the host runtime) and workflows, Key Vault access policies, run history with filters, managed APIs, consent, and writes. Each returns null when the request
/// is not its own.
/// </summary>
public static class ArmRoutes
{
    public static async Task<IResult?> TryDispatchAsync(HttpContext context, SandboxState state, Caller caller, ArmPath path) =>
        RoleAssignmentRoutes.TryHandle(context, state, caller, path)
        ?? await RoleAssignmentRoutes.TryHandleWriteAsync(context, state, caller, path)
        ?? await RuntimeRoutes.TryHandleAsync(context, state, caller, path)
        ?? await HostRuntimeFileRoutes.TryHandleAsync(context, state, caller, path)
        ?? SiteWorkflowRoutes.TryHandle(context, state, caller, path)
        ?? await VaultAccessPolicyRoutes.TryHandleAsync(context, state, caller, path)
        ?? RunRoutes.TryHandle(context, state, caller, path)
        ?? ManagedApiCatalog.TryHandle(context, state, caller, path)
        ?? ProviderRoutes.TryHandle(context, state, caller, path)
        ?? await ConsentRoutes.TryHandleAsync(context, state, caller, path)
        ?? await Monitor.MetricAlertRoutes.TryHandleAsync(context, state, caller, path)
        ?? state.AsyncWrites.TryPoll(context, state, caller, path)
        ?? await WriteRoutes.TryHandleAsync(context, state, caller, path);

    /// <summary>The request body as a JSON object; ARM's InvalidRequestContent when it is not one.</summary>
    public static async Task<(JsonObject? Body, IResult? Error)> ReadBodyAsync(HttpContext context, bool required = true)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return required
                ? (null, ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The request body is empty.'."))
                : (new JsonObject(), null);
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject body
                ? (body, null)
                : (null, ArmErrors.Error(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'The body is not a JSON object.'."));
        }
        catch (JsonException e)
        {
            return (null, ArmErrors.Error(400, "InvalidRequestContent", $"The request content was invalid and could not be deserialized: '{e.Message}'."));
        }
    }

    /// <summary>ARM's refusal when the caller's roles do not allow <paramref name="action"/> at <paramref name="scope"/>; null when allowed.</summary>
    public static IResult? Authorize(SandboxState state, Caller caller, string action, string scope) =>
        state.Rbac.IsAllowed(caller.ObjectId, action, scope) ? null : ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, action, scope);

    /// <summary>ResourceGroupNotFound when the path's resource group does not exist; null otherwise.</summary>
    public static IResult? RequireResourceGroup(SandboxState state, ArmPath path) =>
        path.ResourceGroupScope is { } group && !state.Store.Exists(group) ? ArmErrors.ResourceGroupNotFound(path.ResourceGroupName!) : null;


    /// <summary>Index of the last "providers/{ns}" whose namespace is <paramref name="providerNamespace"/>, or -1.</summary>
    public static int ProviderIndex(ArmPath path, string providerNamespace)
    {
        for (var i = path.Segments.Length - 2; i >= 0; i--)
        {
            if (path.Segments[i].Equals("providers", StringComparison.OrdinalIgnoreCase)
                && path.Segments[i + 1].Equals(providerNamespace, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
