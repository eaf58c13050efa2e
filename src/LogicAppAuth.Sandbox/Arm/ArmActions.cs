using System.Text.Json.Nodes;
using LogicAppAuth.Sandbox.Auth;
using LogicAppAuth.Sandbox.Hosting;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Provider actions: <c>POST {resourceId}/{action}</c>, each needing the RBAC action <c>{type}/{action}/action</c> at the
/// resource: listWorkflowsConnections of Standard apps, their <c>config/appsettings/list</c>, and the listKeys of Service Bus
/// and Event Hubs authorization rules and of storage accounts (answers as the providers' specs show them; keys are kept
/// apart from the documents, as ARM never shows them on GET).
/// </summary>
public static class ArmActions
{
    /// <summary>An action on <paramref name="targetId"/>; <paramref name="owner"/> is the document that must exist (the
    /// target itself, or for <c>sites/config/appsettings</c>, which has no document, the site).</summary>
    private delegate IResult ActionHandler(SandboxState state, string targetId, JsonObject owner);

    private sealed record Handler(ActionHandler Handle, Func<string, string>? OwnerOf = null);

    private static readonly Handler ListRuleKeys = new(RuleKeys);

    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Web/sites/listWorkflowsConnections"] = new((state, _, site) => ListWorkflowsConnections(state, site)),
        ["Microsoft.Web/sites/config/list"] = new(AppSettings, configId => ArmPath.Parent(ArmPath.Parent(configId))),
        ["Microsoft.ServiceBus/namespaces/authorizationRules/listKeys"] = ListRuleKeys,
        ["Microsoft.ServiceBus/namespaces/queues/authorizationRules/listKeys"] = ListRuleKeys,
        ["Microsoft.ServiceBus/namespaces/topics/authorizationRules/listKeys"] = ListRuleKeys,
        ["Microsoft.EventHub/namespaces/authorizationRules/listKeys"] = ListRuleKeys,
        ["Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys"] = ListRuleKeys,
        ["Microsoft.Storage/storageAccounts/listKeys"] = new(StorageKeys),
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

        var ownerId = handler.OwnerOf?.Invoke(targetId) ?? targetId;
        return state.Store.Get(ownerId) is { } document ? handler.Handle(state, targetId, document) : ArmApi.NotFound(ownerId);
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

    /// <summary><c>POST {site}/config/appsettings/list</c>: the app settings as a flat NAME: VALUE object
    /// (WebApps_ListApplicationSettings, a StringDictionary). Other config names are not modelled.</summary>
    private static IResult AppSettings(SandboxState state, string configId, JsonObject site)
    {
        var configName = configId[(configId.LastIndexOf('/') + 1)..];
        if (!configName.Equals("appsettings", StringComparison.OrdinalIgnoreCase))
        {
            return ArmErrors.Error(404, "NotFound", $"The sandbox does not implement POST '{configId}/list' (only config/appsettings/list).");
        }

        var siteId = (string)site["id"]!;
        var properties = new JsonObject();
        foreach (var (name, value) in state.Store.GetAppSettings(siteId) ?? new Dictionary<string, string>())
        {
            properties[name] = value;
        }

        return Results.Json(new JsonObject
        {
            ["id"] = siteId + "/config/appsettings",
            ["name"] = "appsettings",
            ["type"] = "Microsoft.Web/sites/config",
            ["location"] = site["location"]?.DeepClone(),
            ["properties"] = properties,
        });
    }

    /// <summary>listKeys of a Service Bus / Event Hubs SAS rule (AccessKeys): both keys, the connection strings built from
    /// them (with <c>EntityPath</c> for an entity-level rule), and the rule's name.</summary>
    private static IResult RuleKeys(SandboxState state, string ruleId, JsonObject rule)
    {
        var path = ArmPath.Parse(ruleId);
        var providers = Array.FindLastIndex(path.Segments, s => s.Equals("providers", StringComparison.OrdinalIgnoreCase));
        var namespaceName = path.Segments[providers + 3];
        var entity = path.Segments.Length - providers > 6 ? path.Segments[providers + 5] : null;
        var keys = state.Store.GetAccessKeys(ruleId) ?? new Dictionary<string, string>();
        var keyName = (string?)rule["name"] is { } name ? name[(name.LastIndexOf('/') + 1)..] : path.Segments[^1];
        string ConnectionString(string key) =>
            $"Endpoint=sb://{namespaceName}.servicebus.windows.net/;SharedAccessKeyName={keyName};SharedAccessKey={key}" +
            (entity is null ? "" : $";EntityPath={entity}");
        var primary = keys.GetValueOrDefault("primaryKey") ?? DerivedKey(ruleId, "primaryKey", 32);
        var secondary = keys.GetValueOrDefault("secondaryKey") ?? DerivedKey(ruleId, "secondaryKey", 32);
        return Results.Json(new JsonObject
        {
            ["primaryConnectionString"] = ConnectionString(primary),
            ["secondaryConnectionString"] = ConnectionString(secondary),
            ["primaryKey"] = primary,
            ["secondaryKey"] = secondary,
            ["keyName"] = keyName,
        });
    }

    /// <summary>listKeys of a storage account (StorageAccountListKeysResult): key1 and key2 with full permissions.</summary>
    private static IResult StorageKeys(SandboxState state, string accountId, JsonObject account)
    {
        var keys = state.Store.GetAccessKeys(accountId) ?? new Dictionary<string, string>();
        var created = (string?)account["properties"]?["creationTime"];
        var keyTimes = account["properties"]?["keyCreationTime"];
        JsonObject Key(string name)
        {
            var key = new JsonObject { ["keyName"] = name, ["value"] = keys.GetValueOrDefault(name) ?? DerivedKey(accountId, name, 64), ["permissions"] = "FULL" };
            if (((string?)keyTimes?[name] ?? created) is { } time)
            {
                key["creationTime"] = time;
            }

            return key;
        }

        return Results.Json(new JsonObject { ["keys"] = new JsonArray(Key("key1"), Key("key2")) });
    }

    /// <summary>A stable base64 key for a resource the scenario gives no keys (same id, same key on every run).</summary>
    private static string DerivedKey(string resourceId, string name, int length)
    {
        var seed = System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes($"{resourceId.ToLowerInvariant()}|{name}"));
        return Convert.ToBase64String(seed, 0, length);
    }
}
