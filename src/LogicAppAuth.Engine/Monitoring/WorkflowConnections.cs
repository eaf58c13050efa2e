using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.RegularExpressions;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Monitoring
{
    /// <summary>Which connection each action of a Consumption workflow calls, from its definition and its $connections parameter. Pure.</summary>
    public static class WorkflowConnections
    {
        private static readonly Regex Reference = new Regex(@"\['(?<ref>[^']+)'\]\['connectionId'\]", RegexOptions.Compiled);
        private static readonly string[] Nested = { "actions", "else", "default" };

        /// <summary>Action name → connection resource id, for every ApiConnection action, nested ones (scopes, conditions, switches, loops) included.</summary>
        public static IReadOnlyDictionary<string, string> ActionConnections(JsonElement workflow)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var references = Json.Path(workflow, "properties", "parameters", "$connections", "value");
            if (Json.Path(workflow, "properties", "definition", "actions") is JsonElement actions)
            {
                Walk(actions, references, result);
            }

            return result;
        }

        private static void Walk(JsonElement actions, JsonElement? references, Dictionary<string, string> result)
        {
            if (actions.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var action in actions.EnumerateObject())
            {
                var name = Json.String(action.Value, "inputs", "host", "connection", "name");
                var match = Reference.Match(name);
                if (match.Success && references is JsonElement refs)
                {
                    var connectionId = Json.String(refs, match.Groups["ref"].Value, "connectionId");
                    if (connectionId.Length > 0)
                    {
                        result[action.Name] = connectionId;
                    }
                }

                foreach (var nested in Nested)
                {
                    if (Json.Path(action.Value, nested) is JsonElement child)
                    {
                        Walk(nested == "actions" ? child : Json.Path(child, "actions") ?? default, references, result);
                    }
                }

                if (Json.Path(action.Value, "cases") is JsonElement cases && cases.ValueKind == JsonValueKind.Object)
                {
                    foreach (var branch in cases.EnumerateObject())
                    {
                        if (Json.Path(branch.Value, "actions") is JsonElement branchActions)
                        {
                            Walk(branchActions, references, result);
                        }
                    }
                }
            }
        }

        /// <summary>True when a failed action's code or error says the connector refused the caller (401/403, an AADSTS error).</summary>
        public static bool IsAuthFailure(JsonElement action)
        {
            foreach (var code in new[] { Json.String(action, "properties", "code"), Json.String(action, "properties", "error", "code") })
            {
                if (string.Equals(code, "Unauthorized", StringComparison.OrdinalIgnoreCase) || string.Equals(code, "Forbidden", StringComparison.OrdinalIgnoreCase)
                    || code == "401" || code == "403")
                {
                    return true;
                }
            }

            return Json.String(action, "properties", "error", "message").IndexOf("AADSTS", StringComparison.OrdinalIgnoreCase) >= 0;
        }
    }
}
