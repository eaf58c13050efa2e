using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;
using LogicAppAuth.Sandbox.Scenarios;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Azure Resource Manager routes. Requests are answered from the document store by path, so any
/// resource type in a scenario can be read and listed; provider actions are in <see cref="ArmActions"/>.
/// </summary>
public sealed class ArmApi(SandboxState state, AccessCheck access)
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/subscriptions", (HttpContext context, ArmApi api) => api.ListSubscriptionsAsync(context));
        app.MapMethods("/subscriptions/{**rest}", ["GET", "POST", "PUT", "PATCH", "DELETE"],
            (HttpContext context, ArmApi api) => api.DispatchAsync(context));
    }

    private async Task<IResult> ListSubscriptionsAsync(HttpContext context)
    {
        if (!context.Request.Query.ContainsKey("api-version"))
        {
            return ArmErrors.MissingApiVersion();
        }

        var result = await access.ArmAsync(context);
        if (result.Caller is not { } caller)
        {
            return result.Failure!;
        }

        var visible = state.Scenario.Subscriptions
            .Where(s => s.TenantId.Equals(caller.TenantId, StringComparison.OrdinalIgnoreCase))
            .Where(s => state.Rbac.HasAnyRoleTouching(caller.ObjectId, "/subscriptions/" + s.SubscriptionId))
            .Select(SubscriptionDocument)
            .ToList();
        var body = Paging.ArmList(context, visible, state.Options.ArmPageSize);
        body["count"] = new JsonObject { ["type"] = "Total", ["value"] = visible.Count };
        return Results.Json(body);
    }

    private async Task<IResult> DispatchAsync(HttpContext context)
    {
        var path = ArmPath.Parse(context.Request.Path);
        if (!context.Request.Query.ContainsKey("api-version"))
        {
            return ArmErrors.MissingApiVersion();
        }

        if (ProviderRoutes.RefuseUnregisteredApiVersion(path, context.Request.Query["api-version"].ToString()) is { } unregistered)
        {
            state.Log.AddRefusedApiVersion($"{context.Request.Method} {path.Path}{context.Request.QueryString}");
            return unregistered;
        }

        var result = await access.ArmAsync(context);
        if (result.Caller is not { } caller)
        {
            return result.Failure!;
        }

        var subscription = state.Scenario.FindSubscription(path.SubscriptionId!);
        if (subscription is null)
        {
            return ArmErrors.SubscriptionNotFound(path.SubscriptionId!);
        }

        if (!subscription.TenantId.Equals(caller.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return access.WrongTenant(context, caller, subscription.TenantId);
        }

        if (await ArmRoutes.TryDispatchAsync(context, state, caller, path) is { } handled)
        {
            return handled;
        }

        return context.Request.Method switch
        {
            "GET" when path.Segments.Length == 2 => GetSubscription(caller, subscription),
            "GET" => Get(context, caller, path),
            "POST" => ArmActions.Invoke(context, state, caller, path),
            _ => ArmErrors.Error(405, "MethodNotAllowed", $"The sandbox does not implement {context.Request.Method} on '{path.Path}' yet."),
        };
    }

    private IResult GetSubscription(Caller caller, ScenarioSubscription subscription)
    {
        var scope = "/subscriptions/" + subscription.SubscriptionId;
        return state.Rbac.HasAnyRoleTouching(caller.ObjectId, scope)
            ? Results.Json(SubscriptionDocument(subscription))
            : ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, "Microsoft.Resources/subscriptions/read", scope);
    }

    private IResult Get(HttpContext context, Caller caller, ArmPath path)
    {
        var action = path.ResourceType + "/read";
        if (!state.Rbac.IsAllowed(caller.ObjectId, action, path.Path))
        {
            return ArmErrors.AuthorizationFailed(caller.AppId, caller.ObjectId, action, path.Path);
        }

        if (path.ResourceGroupScope is { } group && !state.Store.Exists(group))
        {
            return ArmErrors.ResourceGroupNotFound(path.ResourceGroupName!);
        }

        if (!path.IsCollection)
        {
            return state.Store.Get(path.Path) is { } document ? Results.Json(document) : NotFound(path.Path);
        }

        if (path.ParentResourceId is { } parent && !state.Store.Exists(parent))
        {
            return NotFound(parent);
        }

        return Results.Json(Paging.ArmList(context, ListCollection(path), state.Options.ArmPageSize));
    }

    /// <summary>A collection under a resource group or parent resource; a provider collection right under a
    /// subscription (/subscriptions/{s}/providers/{ns}/{type}) spans all its resource groups.</summary>
    private IReadOnlyList<JsonObject> ListCollection(ArmPath path)
    {
        var isSubscriptionWide = path.ResourceGroupName is null && path.Segments.Length == 5
            && path.Segments[2].Equals("providers", StringComparison.OrdinalIgnoreCase);
        return isSubscriptionWide
            ? state.Store.ListOfTypeUnder(path.SubscriptionScope + "/resourceGroups/", path.ResourceType)
            : state.Store.ListCollection(path.Path);
    }

    internal static IResult NotFound(string resourcePath)
    {
        var path = ArmPath.Parse(resourcePath);
        if (path.Segments.Length == 4 && path.ResourceGroupName is { } group)
        {
            return ArmErrors.ResourceGroupNotFound(group);
        }

        var providers = Array.FindIndex(path.Segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        var typeAndName = string.Join('/', path.Segments[(providers + 1)..]);
        return ArmErrors.ResourceNotFound(typeAndName, path.ResourceGroupName ?? "");
    }

    private static JsonObject SubscriptionDocument(ScenarioSubscription subscription) => new()
    {
        ["id"] = "/subscriptions/" + subscription.SubscriptionId,
        ["authorizationSource"] = "RoleBased",
        ["managedByTenants"] = new JsonArray(),
        ["subscriptionId"] = subscription.SubscriptionId,
        ["tenantId"] = subscription.TenantId,
        ["displayName"] = subscription.DisplayName,
        ["state"] = "Enabled",
        ["subscriptionPolicies"] = new JsonObject
        {
            ["locationPlacementId"] = "Public_2014-09-01",
            ["quotaId"] = "PayAsYouGo_2014-09-01",
            ["spendingLimit"] = "Off",
        },
    };
}
