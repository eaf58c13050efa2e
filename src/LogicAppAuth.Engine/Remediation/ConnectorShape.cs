using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Remediation
{
    public enum ManagedIdentityStyle
    {
        /// <summary>The connector has no managed-identity sign-in.</summary>
        NotSupported,

        /// <summary>Multi-auth connector: <c>parameterValueSet { name: "managedIdentityAuth", values }</c>.</summary>
        ParameterValueSet,

        /// <summary>Single-auth connector with managed identity as the alternative: <c>parameterValueType: "Alternative"</c>.</summary>
        Alternative,
    }

    /// <summary>How a connector signs in with a managed identity, read from its managed API's metadata (connectionParameterSets / connectionAlternativeParameters).</summary>
    public sealed class ConnectorShape
    {
        private ConnectorShape(ManagedIdentityStyle style, string setName, IReadOnlyList<string> parameters, string oauthParameter)
        {
            Style = style;
            SetName = setName;
            Parameters = parameters;
            OAuthParameter = oauthParameter;
        }

        public ManagedIdentityStyle Style { get; }

        /// <summary>The parameter set's name (usually managedIdentityAuth).</summary>
        public string SetName { get; }

        /// <summary>The parameters the managed-identity set takes (e.g. accountName, vaultName, namespaceEndpoint).</summary>
        public IReadOnlyList<string> Parameters { get; }

        /// <summary>The connection parameter of type oauthSetting (usually "token"), or "" when the connector has none.</summary>
        public string OAuthParameter { get; }

        public static ConnectorShape Read(JsonNode? managedApi)
        {
            var properties = JsonEdit.Get(managedApi, "properties");
            var oauth = OAuthParameterOf(JsonEdit.Get(properties, "connectionParameters") as JsonObject);
            if (JsonEdit.Get(properties, "connectionParameterSets", "values") is JsonArray sets)
            {
                var set = sets.OfType<JsonObject>().FirstOrDefault(s => string.Equals(JsonEdit.String(s, "name"), "managedIdentityAuth", StringComparison.OrdinalIgnoreCase))
                    ?? sets.OfType<JsonObject>().FirstOrDefault(IsManagedIdentitySet);
                if (oauth.Length == 0)
                {
                    oauth = sets.OfType<JsonObject>().Select(s => OAuthParameterOf(JsonEdit.Get(s, "parameters") as JsonObject)).FirstOrDefault(p => p.Length > 0) ?? "";
                }

                if (set != null)
                {
                    var parameters = (JsonEdit.Get(set, "parameters") as JsonObject)?.Select(p => p.Key).ToList() ?? new List<string>();
                    return new ConnectorShape(ManagedIdentityStyle.ParameterValueSet, JsonEdit.String(set, "name"), parameters, oauth);
                }
            }

            if (string.Equals(JsonEdit.String(properties, "connectionAlternativeParameters", "authentication", "type"), "managedIdentity", StringComparison.OrdinalIgnoreCase))
            {
                return new ConnectorShape(ManagedIdentityStyle.Alternative, "", Array.Empty<string>(), oauth);
            }

            return new ConnectorShape(ManagedIdentityStyle.NotSupported, "", Array.Empty<string>(), oauth);
        }

        /// <summary>Whether a connection document already signs in this way.</summary>
        public bool IsManagedIdentity(JsonNode? connection)
        {
            var properties = JsonEdit.Get(connection, "properties");
            var set = JsonEdit.String(properties, "parameterValueSet", "name");
            var alternative = string.Equals(JsonEdit.String(properties, "parameterValueType"), "Alternative", StringComparison.OrdinalIgnoreCase);
            switch (Style)
            {
                case ManagedIdentityStyle.ParameterValueSet: return string.Equals(set, SetName, StringComparison.OrdinalIgnoreCase);
                case ManagedIdentityStyle.Alternative: return alternative;
                default: return false;
            }
        }

        private static bool IsManagedIdentitySet(JsonObject set)
        {
            var name = JsonEdit.String(set, "name");
            var display = JsonEdit.String(set, "uiDefinition", "displayName");
            return ConnectionParameters.IsManagedIdentitySet(name) || display.IndexOf("managed identity", StringComparison.OrdinalIgnoreCase) >= 0;
        }

        private static string OAuthParameterOf(JsonObject? parameters) =>
            parameters?.FirstOrDefault(p => string.Equals(JsonEdit.String(p.Value, "type"), "oauthSetting", StringComparison.OrdinalIgnoreCase)).Key ?? "";
    }

    /// <summary>Which triggers and actions of a workflow definition use a <c>$connections</c> entry, and how.</summary>
    public static class WorkflowUsage
    {
        private static readonly string[] ReceiveWords = { "head", "peek", "complete", "abandon", "deadletter", "renewlock", "lock", "receive", "events/batch" };

        public static ConnectionUsage Of(JsonNode? definition, string referenceName)
        {
            var usage = ConnectionUsage.None;
            var marker = $"['{referenceName}']";
            if (JsonEdit.Get(definition, "triggers") is JsonObject triggers)
            {
                foreach (var trigger in triggers)
                {
                    if (Uses(trigger.Value, marker))
                    {
                        usage |= ConnectionUsage.Receive;
                    }
                }
            }

            foreach (var action in Actions(JsonEdit.Get(definition, "actions")))
            {
                if (Uses(action, marker))
                {
                    var path = JsonEdit.String(action, "inputs", "path").ToLowerInvariant();
                    usage |= ReceiveWords.Any(w => path.Contains(w)) ? ConnectionUsage.Receive : ConnectionUsage.Send;
                }
            }

            return usage;
        }

        private static bool Uses(JsonNode? step, string marker) =>
            JsonEdit.String(step, "inputs", "host", "connection", "name").IndexOf(marker, StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>Every action, including those nested in scopes, conditions (else branches), loops and switches.</summary>
        private static IEnumerable<JsonNode?> Actions(JsonNode? actions)
        {
            if (!(actions is JsonObject obj))
            {
                yield break;
            }

            foreach (var action in obj)
            {
                yield return action.Value;
                foreach (var nested in Actions(JsonEdit.Get(action.Value, "actions")))
                {
                    yield return nested;
                }

                foreach (var nested in Actions(JsonEdit.Get(action.Value, "else", "actions")))
                {
                    yield return nested;
                }

                if (JsonEdit.Get(action.Value, "cases") is JsonObject cases)
                {
                    foreach (var @case in cases)
                    {
                        foreach (var nested in Actions(JsonEdit.Get(@case.Value, "actions")))
                        {
                            yield return nested;
                        }
                    }
                }

                foreach (var nested in Actions(JsonEdit.Get(action.Value, "default", "actions")))
                {
                    yield return nested;
                }
            }
        }
    }
}
