using System.Collections.Generic;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>Reads the managed API connections a Standard logic app's connections.json names (from listWorkflowsConnections).</summary>
    internal static class StandardAppReferences
    {
        public const string ApiVersion = "2025-03-01";

        public static bool IsStandardApp(JsonElement site) =>
            Json.String(site, "kind").IndexOf("workflowapp", System.StringComparison.OrdinalIgnoreCase) >= 0;

        public static IEnumerable<ConnectionReference> Read(string appName, JsonElement response)
        {
            var file = Json.Path(response, "properties", "files", "connections.json");
            if (file is JsonElement text && text.ValueKind == JsonValueKind.String)
            {
                // Some responses carry the file as a JSON string rather than an object.
                using var parsed = JsonDocument.Parse(text.GetString() ?? "{}");
                foreach (var reference in ReadFile(appName, parsed.RootElement.Clone()))
                {
                    yield return reference;
                }
            }
            else if (file is JsonElement content)
            {
                foreach (var reference in ReadFile(appName, content))
                {
                    yield return reference;
                }
            }
        }

        private static IEnumerable<ConnectionReference> ReadFile(string appName, JsonElement connectionsJson)
        {
            if (Json.Path(connectionsJson, "managedApiConnections") is JsonElement managed && managed.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in managed.EnumerateObject())
                {
                    var connectionId = Json.String(entry.Value, "connection", "id");
                    if (connectionId.Length > 0)
                    {
                        var apiId = Json.String(entry.Value, "api", "id");
                        yield return new ConnectionReference(appName, connectionId, apiId.Substring(apiId.LastIndexOf('/') + 1));
                    }
                }
            }
        }
    }
}
