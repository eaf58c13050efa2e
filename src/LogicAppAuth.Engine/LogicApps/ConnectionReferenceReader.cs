using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>
/// The one reader of which connections a logic app uses: a Consumption workflow's <c>$connections</c> parameter and
/// the actions and triggers that call through it, and a Standard app's <c>connections.json</c>
/// (<c>listWorkflowsConnections</c> answer). Inventory, diagnosis, metrics and the fix all read references here.
/// </summary>
internal static class ConnectionReferenceReader
{
    private static readonly Regex ConnectionsParameter = new Regex(@"\$connections'\s*\)\s*\[\s*'([^']+)'", RegexOptions.CultureInvariant);

    /// <summary>Words of an action's path that read from the target rather than write to it.</summary>
    private static readonly string[] ReceivePathWords = { "head", "peek", "complete", "abandon", "deadletter", "renewlock", "lock", "receive", "events/batch" };

    public static bool IsStandardApp(JsonElement site) =>
        Json.String(site, "kind").IndexOf("workflowapp", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>Every <c>$connections</c> entry of a Consumption workflow document that names a connection.</summary>
    public static IReadOnlyList<ConnectionReference> ReadWorkflow(JsonElement workflow)
    {
        if (!(Json.Path(workflow, "properties", "parameters", "$connections", "value") is JsonElement value) || value.ValueKind != JsonValueKind.Object)
        {
            return Array.Empty<ConnectionReference>();
        }

        var entries = value.EnumerateObject().Where(e => Json.String(e.Value, "connectionId").Length > 0).ToList();
        if (entries.Count == 0)
        {
            return Array.Empty<ConnectionReference>();
        }

        var (id, name, identity, actions) = (Json.String(workflow, "id"), Json.String(workflow, "name"), LogicAppIdentity.Read(workflow), ActionReferences(workflow));
        return entries.Select(entry => new ConnectionReference
        {
            ResourceId = id,
            Name = name,
            ConnectionId = Json.String(entry.Value, "connectionId").TrimEnd('/'),
            ReferenceName = entry.Name,
            ApiId = Json.String(entry.Value, "id"),
            AuthenticationType = Json.String(entry.Value, "connectionProperties", "authentication", "type"),
            AuthenticationIdentity = Json.String(entry.Value, "connectionProperties", "authentication", "identity"),
            Identity = identity,
            ActionReferences = actions,
            ReferenceCount = entries.Count,
        }).ToList();
    }

    /// <summary>
    /// The managed API connections of a Standard app's connections.json, from its <c>listWorkflowsConnections</c> answer.
    /// Expressions (app settings, parameters.json) are resolved through <paramref name="values"/>; what stays unknown is
    /// marked on the reference rather than failing.
    /// </summary>
    public static IReadOnlyList<ConnectionReference> ReadStandardApp(JsonElement site, JsonElement listAnswer, DeploymentValues? values = null)
    {
        using var file = ConnectionsFile(listAnswer);
        return file == null ? Array.Empty<ConnectionReference>() : ReadConnectionsFile(site, file.RootElement, values ?? DeploymentValues.None);
    }

    /// <summary>The managed API connections of a Standard app's connections.json content.</summary>
    public static IReadOnlyList<ConnectionReference> ReadConnectionsFile(JsonElement site, JsonElement connectionsFile, DeploymentValues values)
    {
        if (!(Json.Path(connectionsFile, "managedApiConnections") is JsonElement managed) || managed.ValueKind != JsonValueKind.Object)
        {
            return Array.Empty<ConnectionReference>();
        }

        var identity = LogicAppIdentity.Read(site);
        return managed.EnumerateObject()
            .Where(entry => Json.String(entry.Value, "connection", "id").Length > 0)
            .Select(entry =>
            {
                var written = Json.String(entry.Value, "connection", "id").TrimEnd('/');
                var id = values.Resolve(written);
                var authenticationElement = Json.Path(entry.Value, "authentication");
                var authentication = values.Authentication(authenticationElement);
                return new ConnectionReference
                {
                    ResourceId = Json.String(site, "id"),
                    Name = Json.String(site, "name"),
                    IsStandardApp = true,
                    ConnectionId = id ?? "",
                    ConnectionName = AzureResourceId.LastSegment(written),
                    Unresolved = id != null ? "" : Or(values.Unreadable, $"connection.id {written} names an app setting that is not set"),
                    ReferenceName = entry.Name,
                    ApiId = values.Resolve(Json.String(entry.Value, "api", "id")) ?? Json.String(entry.Value, "api", "id"),
                    AuthenticationType = authentication?.Type ?? "",
                    AuthenticationIdentity = authentication?.Identity ?? "",
                    AuthenticationUnresolved = authentication != null ? "" : Or(values.Unreadable, "its authentication names a value that is not set"),
                    AuthenticationParameter = DeploymentValues.ParameterOf(authenticationElement),
                    Identity = identity,
                };
            })
            .ToList();
    }

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;

    /// <summary>
    /// The built-in connections a Standard app's workflow calls: every action and trigger (nested ones too) whose
    /// <c>inputs.serviceProviderConfiguration.connectionName</c> names a serviceProviderConnections entry.
    /// </summary>
    public static IReadOnlyList<ConnectionReference> ReadServiceProviderCalls(string siteId, string workflowName, JsonElement workflowFile)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var triggers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Json.Path(workflowFile, "definition") is JsonElement definition)
        {
            WalkServiceProviderCalls(Json.Path(definition, "actions"), names);
            WalkServiceProviderCalls(Json.Path(definition, "triggers"), triggers);
        }

        foreach (var trigger in triggers)
        {
            names[trigger.Key] = trigger.Value;
        }

        var connections = names.Values.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return connections.Select(connection => new ConnectionReference
        {
            CalledByTrigger = triggers.Values.Contains(connection, StringComparer.OrdinalIgnoreCase),
            CalledByAction = names.Any(n => !triggers.ContainsKey(n.Key) && string.Equals(n.Value, connection, StringComparison.OrdinalIgnoreCase)),
            ResourceId = $"{siteId}/workflows/{workflowName}",
            Name = workflowName,
            IsStandardApp = true,
            ConnectionId = $"{siteId}/serviceProviderConnections/{connection}",
            ConnectionName = connection,
            ReferenceName = connection,
            ActionReferences = names,
            ReferenceCount = connections.Count,
        }).ToList();
    }

    private static void WalkServiceProviderCalls(JsonElement? actions, Dictionary<string, string> names)
    {
        foreach (var step in Steps(actions))
        {
            var connection = Json.String(step.Value, "inputs", "serviceProviderConfiguration", "connectionName");
            if (connection.Length > 0 && !connection.Contains("@"))
            {
                names[step.Name] = connection;
            }
        }
    }

    /// <summary>connections.json out of a <c>listWorkflowsConnections</c> answer; some answers carry it as a JSON string rather than an object.</summary>
    public static JsonDocument? ConnectionsFile(JsonElement listAnswer)
    {
        var file = Json.Path(listAnswer, "properties", "files", "connections.json");
        if (file is JsonElement text && text.ValueKind == JsonValueKind.String)
        {
            return JsonDocument.Parse(text.GetString() ?? "{}");
        }

        return file is JsonElement content && content.ValueKind == JsonValueKind.Object ? JsonDocument.Parse(content.GetRawText()) : null;
    }

    /// <summary>Every action and trigger (nested ones too) whose host connection is a <c>$connections</c> reference, by name → reference name.</summary>
    public static IReadOnlyDictionary<string, string> ActionReferences(JsonElement workflow)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Json.Path(workflow, "properties", "definition") is JsonElement definition)
        {
            Walk(Json.Path(definition, "actions"), map);
            Walk(Json.Path(definition, "triggers"), map);
        }

        return map;
    }

    private static void Walk(JsonElement? actions, Dictionary<string, string> map)
    {
        foreach (var step in Steps(actions))
        {
            var reference = ReferenceOf(step.Value);
            if (reference.Length > 0)
            {
                map[step.Name] = reference;
            }
        }
    }

    /// <summary>
    /// How a workflow definition's steps use one <c>$connections</c> entry: a trigger receives from the target; an action
    /// receives when its path reads (peek, lock, complete, …) and sends otherwise.
    /// </summary>
    public static ConnectionUsage UsageOf(JsonElement definition, string referenceName)
    {
        var usage = ConnectionUsage.None;
        foreach (var trigger in Steps(Json.Path(definition, "triggers")))
        {
            if (string.Equals(ReferenceOf(trigger.Value), referenceName, StringComparison.OrdinalIgnoreCase))
            {
                usage |= ConnectionUsage.Receive;
            }
        }

        foreach (var action in Steps(Json.Path(definition, "actions")))
        {
            if (string.Equals(ReferenceOf(action.Value), referenceName, StringComparison.OrdinalIgnoreCase))
            {
                var path = Json.String(action.Value, "inputs", "path").ToLowerInvariant();
                usage |= ReceivePathWords.Any(path.Contains) ? ConnectionUsage.Receive : ConnectionUsage.Send;
            }
        }

        return usage;
    }

    /// <summary>The <c>$connections</c> entry a step's host connection names, or "".</summary>
    private static string ReferenceOf(JsonElement step)
    {
        var connection = Json.String(step, "inputs", "host", "connection", "name");
        if (connection.Length == 0)
        {
            connection = Json.String(step, "inputs", "host", "connection", "referenceName");
        }

        var match = ConnectionsParameter.Match(connection);
        return match.Success ? match.Groups[1].Value : connection.Contains("@") ? "" : connection;
    }

    /// <summary>Every action or trigger of a set, and those nested in scopes, conditions (else), switches (cases, default) and loops.</summary>
    private static IEnumerable<JsonProperty> Steps(JsonElement? actions)
    {
        if (!(actions is JsonElement set) || set.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var step in set.EnumerateObject())
        {
            yield return step;
            var nested = new List<JsonElement?> { Json.Path(step.Value, "actions"), Json.Path(step.Value, "else", "actions"), Json.Path(step.Value, "default", "actions") };
            if (Json.Path(step.Value, "cases") is JsonElement cases && cases.ValueKind == JsonValueKind.Object)
            {
                nested.AddRange(cases.EnumerateObject().Select(branch => Json.Path(branch.Value, "actions")));
            }

            foreach (var inner in nested.SelectMany(Steps))
            {
                yield return inner;
            }
        }
    }
}
