using System.Collections.Generic;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.Inventory
{
    /// <summary>A workflow's use of one API connection, from its <c>$connections</c> parameter.</summary>
    internal sealed class ConnectionReference
    {
        public ConnectionReference(string workflowName, string connectionId, string apiName)
        {
            WorkflowName = workflowName;
            ConnectionId = connectionId;
            ApiName = apiName;
        }

        public string WorkflowName { get; }
        public string ConnectionId { get; }
        public string ApiName { get; }
    }

    internal static class WorkflowReferences
    {
        /// <summary>Reads <c>properties.parameters.$connections.value.*.connectionId</c> of a Consumption workflow document.</summary>
        public static IEnumerable<ConnectionReference> Read(JsonElement workflow)
        {
            var name = Json.String(workflow, "name");
            if (Json.Path(workflow, "properties", "parameters", "$connections", "value") is JsonElement value && value.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in value.EnumerateObject())
                {
                    var connectionId = Json.String(entry.Value, "connectionId");
                    if (connectionId.Length > 0)
                    {
                        var apiId = Json.String(entry.Value, "id");
                        yield return new ConnectionReference(name, connectionId, apiId.Substring(apiId.LastIndexOf('/') + 1));
                    }
                }
            }
        }
    }
}
