using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Engine.Remediation
{
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
