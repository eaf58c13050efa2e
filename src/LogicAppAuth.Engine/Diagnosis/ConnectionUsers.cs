using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Diagnosis
{
    /// <summary>The managed identities of a logic app (Consumption workflow or Standard site).</summary>
    internal sealed class IdentityInfo
    {
        public static readonly IdentityInfo None = new IdentityInfo("None", "", new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

        public IdentityInfo(string type, string principalId, IReadOnlyDictionary<string, string> userAssigned)
        {
            Type = type;
            PrincipalId = principalId;
            UserAssigned = userAssigned;
        }

        public string Type { get; }
        public string PrincipalId { get; }

        /// <summary>User-assigned identities by resource id → principal id.</summary>
        public IReadOnlyDictionary<string, string> UserAssigned { get; }

        public bool HasSystemAssigned => Type.IndexOf("SystemAssigned", StringComparison.OrdinalIgnoreCase) >= 0 && PrincipalId.Length > 0;

        public string Describe() => Type.Length == 0 || string.Equals(Type, "None", StringComparison.OrdinalIgnoreCase) ? "none" : Type;

        public static IdentityInfo Read(JsonElement resource)
        {
            if (!(Json.Path(resource, "identity") is JsonElement identity) || identity.ValueKind != JsonValueKind.Object)
            {
                return None;
            }

            var assigned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Json.Path(identity, "userAssignedIdentities") is JsonElement uami && uami.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in uami.EnumerateObject())
                {
                    assigned[entry.Name.TrimEnd('/')] = Json.String(entry.Value, "principalId");
                }
            }

            return new IdentityInfo(Json.String(identity, "type"), Json.String(identity, "principalId"), assigned);
        }
    }

    /// <summary>A workflow or Standard app that references a connection, with how it authenticates to it.</summary>
    internal sealed class ConnectionUser
    {
        public string ResourceId { get; set; } = "";
        public string Name { get; set; } = "";
        public bool IsStandardApp { get; set; }
        public string ConnectionId { get; set; } = "";
        public string ReferenceName { get; set; } = "";
        public string ApiId { get; set; } = "";

        /// <summary>The reference's authentication type: "ManagedServiceIdentity", "Raw", "ActiveDirectoryOAuth", or "".</summary>
        public string AuthenticationType { get; set; } = "";

        /// <summary>The user-assigned identity the reference names, or "" for the system-assigned one.</summary>
        public string AuthenticationIdentity { get; set; } = "";

        public IdentityInfo Identity { get; set; } = IdentityInfo.None;

        /// <summary>Consumption: action name → $connections reference name, for attributing failed actions to connections.</summary>
        public IReadOnlyDictionary<string, string> ActionReferences { get; set; } = new Dictionary<string, string>();

        /// <summary>How many $connections references the logic app has (a failed action that names none is attributed only when there is one).</summary>
        public int ReferenceCount { get; set; } = 1;

        public bool UsesManagedIdentity => string.Equals(AuthenticationType, "ManagedServiceIdentity", StringComparison.OrdinalIgnoreCase);

        public string Kind => IsStandardApp ? "Standard app" : "workflow";

        /// <summary>The principal the reference uses, or "" when the app lacks that identity.</summary>
        public string PrincipalId()
        {
            if (AuthenticationIdentity.Length > 0)
            {
                return Identity.UserAssigned.TryGetValue(AuthenticationIdentity.TrimEnd('/'), out var principal) ? principal : "";
            }

            return Identity.HasSystemAssigned ? Identity.PrincipalId : "";
        }

        public string IdentityLabel() => AuthenticationIdentity.Length > 0
            ? "user-assigned identity " + AuthenticationIdentity.Substring(AuthenticationIdentity.TrimEnd('/').LastIndexOf('/') + 1)
            : "system-assigned identity";
    }

    /// <summary>Reads who references which connection: Consumption $connections and Standard connections.json.</summary>
    internal static class ConnectionUserReader
    {
        private static readonly Regex ConnectionsReference = new Regex(@"\$connections'\s*\)\s*\[\s*'([^']+)'", RegexOptions.CultureInvariant);

        public static IEnumerable<ConnectionUser> ReadWorkflow(JsonElement workflow)
        {
            var id = Json.String(workflow, "id");
            var name = Json.String(workflow, "name");
            var identity = IdentityInfo.Read(workflow);
            Dictionary<string, string>? actions = null;
            if (!(Json.Path(workflow, "properties", "parameters", "$connections", "value") is JsonElement value) || value.ValueKind != JsonValueKind.Object)
            {
                yield break;
            }

            int count = value.EnumerateObject().Count(e => Json.String(e.Value, "connectionId").Length > 0);
            foreach (var entry in value.EnumerateObject())
            {
                var connectionId = Json.String(entry.Value, "connectionId");
                if (connectionId.Length == 0)
                {
                    continue;
                }

                actions ??= ReadActionReferences(workflow);
                yield return new ConnectionUser
                {
                    ResourceId = id,
                    Name = name,
                    ConnectionId = connectionId.TrimEnd('/'),
                    ReferenceName = entry.Name,
                    ApiId = Json.String(entry.Value, "id"),
                    AuthenticationType = Json.String(entry.Value, "connectionProperties", "authentication", "type"),
                    AuthenticationIdentity = Json.String(entry.Value, "connectionProperties", "authentication", "identity"),
                    Identity = identity,
                    ActionReferences = actions,
                    ReferenceCount = count,
                };
            }
        }

        /// <summary>The managed API connections of a Standard app's connections.json (listWorkflowsConnections answer).</summary>
        public static IEnumerable<ConnectionUser> ReadStandardApp(JsonElement site, JsonElement listAnswer)
        {
            var file = Json.Path(listAnswer, "properties", "files", "connections.json");
            if (file is JsonElement text && text.ValueKind == JsonValueKind.String)
            {
                using var parsed = JsonDocument.Parse(text.GetString() ?? "{}");
                return ReadConnectionsJson(site, parsed.RootElement.Clone()).ToList();
            }

            return file is JsonElement content ? ReadConnectionsJson(site, content).ToList() : new List<ConnectionUser>();
        }

        private static IEnumerable<ConnectionUser> ReadConnectionsJson(JsonElement site, JsonElement connectionsJson)
        {
            var identity = IdentityInfo.Read(site);
            if (!(Json.Path(connectionsJson, "managedApiConnections") is JsonElement managed) || managed.ValueKind != JsonValueKind.Object)
            {
                yield break;
            }

            foreach (var entry in managed.EnumerateObject())
            {
                var connectionId = Json.String(entry.Value, "connection", "id");
                if (connectionId.Length == 0)
                {
                    continue;
                }

                yield return new ConnectionUser
                {
                    ResourceId = Json.String(site, "id"),
                    Name = Json.String(site, "name"),
                    IsStandardApp = true,
                    ConnectionId = connectionId.TrimEnd('/'),
                    ReferenceName = entry.Name,
                    ApiId = Json.String(entry.Value, "api", "id"),
                    AuthenticationType = Json.String(entry.Value, "authentication", "type"),
                    AuthenticationIdentity = Json.String(entry.Value, "authentication", "identity"),
                    Identity = identity,
                };
            }
        }

        /// <summary>Every action (nested ones too) whose host connection is a $connections reference.</summary>
        public static Dictionary<string, string> ReadActionReferences(JsonElement workflow)
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
            if (!(actions is JsonElement set) || set.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var action in set.EnumerateObject())
            {
                var connection = Json.String(action.Value, "inputs", "host", "connection", "name");
                if (connection.Length == 0)
                {
                    connection = Json.String(action.Value, "inputs", "host", "connection", "referenceName");
                }

                var match = ConnectionsReference.Match(connection);
                if (match.Success)
                {
                    map[action.Name] = match.Groups[1].Value;
                }
                else if (connection.Length > 0 && !connection.Contains("@"))
                {
                    map[action.Name] = connection;
                }

                Walk(Json.Path(action.Value, "actions"), map);
                Walk(Json.Path(action.Value, "else", "actions"), map);
                Walk(Json.Path(action.Value, "default", "actions"), map);
                if (Json.Path(action.Value, "cases") is JsonElement cases && cases.ValueKind == JsonValueKind.Object)
                {
                    foreach (var c in cases.EnumerateObject())
                    {
                        Walk(Json.Path(c.Value, "actions"), map);
                    }
                }
            }
        }
    }
}
