using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.Inventory;

namespace LogicAppAuth.Engine.Remediation
{
    /// <summary>The reads planning relies on: users of the connection, connector metadata, documents.</summary>
    public sealed partial class ManagedIdentityRemediator
    {
        /// <summary>Consumption workflows in the connection's subscription whose $connections name it, read fresh through ARM.</summary>
        private static async Task<List<JsonObject>> WorkflowsUsingAsync(ArmRestClient arm, AzureResourceId connection, CancellationToken cancellationToken)
        {
            var ids = new List<string>();
            await arm.ListAsync($"/subscriptions/{connection.SubscriptionId}/providers/Microsoft.Logic/workflows?api-version={ApiVersions.Workflows}", row =>
            {
                if (WorkflowReferences.Read(row).Any(r => string.Equals(r.ConnectionId, connection.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    ids.Add(Arm.Json.String(row, "id"));
                }
            }, "/subscriptions/" + connection.SubscriptionId, cancellationToken).ConfigureAwait(false);
            var workflows = new List<JsonObject>();
            foreach (var workflowId in ids.OrderBy(i => i, StringComparer.OrdinalIgnoreCase))
            {
                workflows.Add(await ReadAsync(arm, workflowId, ApiVersions.Workflows, cancellationToken).ConfigureAwait(false));
            }

            return workflows;
        }

        /// <summary>Standard apps in the subscription whose connections.json names the connection, with the file as listed.</summary>
        private static async Task<List<(JsonObject Site, AppConnectionsFile Listed)>> StandardAppsUsingAsync(ArmRestClient arm, AzureResourceId connection, CancellationToken cancellationToken)
        {
            var sites = new List<string>();
            await arm.ListAsync($"/subscriptions/{connection.SubscriptionId}/providers/Microsoft.Web/sites?api-version={ApiVersions.Sites}", row =>
            {
                if (StandardAppReferences.IsStandardApp(row))
                {
                    sites.Add(Arm.Json.String(row, "id"));
                }
            }, "/subscriptions/" + connection.SubscriptionId, cancellationToken).ConfigureAwait(false);
            var result = new List<(JsonObject, AppConnectionsFile)>();
            foreach (var siteId in sites.OrderBy(s => s, StringComparer.OrdinalIgnoreCase))
            {
                using var response = await arm.PostAsync($"{siteId}/listWorkflowsConnections?api-version={StandardAppReferences.ApiVersion}", null, siteId, cancellationToken).ConfigureAwait(false);
                var file = JsonEdit.Get(JsonEdit.ToObject(response), "properties", "files", "connections.json");
                if (file is JsonValue text && text.TryGetValue<string>(out var raw))
                {
                    file = JsonNode.Parse(raw);
                }

                var listed = AppConnectionsFile.FromListed(siteId, file);
                if (listed.EntriesFor(connection.Id).Count > 0)
                {
                    result.Add((await ReadAsync(arm, siteId, ApiVersions.Sites, cancellationToken).ConfigureAwait(false), listed));
                }
            }

            return result;
        }

        private static async Task<ConnectorShape> ShapeAsync(ArmRestClient arm, string subscriptionId, string location, string apiName, CancellationToken cancellationToken)
        {
            var path = $"/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{apiName}";
            try
            {
                using var document = await arm.GetAsync($"{path}?api-version={ApiVersions.Connections}", path, cancellationToken).ConfigureAwait(false);
                return ConnectorShape.Read(JsonEdit.ToObject(document));
            }
            catch (LogicAppAuthException e) when (e.HttpStatus == 404)
            {
                return ConnectorShape.Read(null);
            }
        }

        internal static LogicAppAuthException NotSupported(AzureResourceId id, string apiName) =>
            new LogicAppAuthException("ManagedIdentityNotSupported", FailureKind.InvalidArgument,
                $"The {apiName} connector cannot sign in with a managed identity, so connection {id.Name} was not changed. Alternatives: " +
                $"(1) re-consent the connection with an active account: Get-LogicConnectorConsentLink -ResourceId '{id.Id}', then Complete-LogicConnectorConsent; " +
                "(2) sign in with a service principal (an app registration with a client secret or certificate), where the connector offers that; " +
                "(3) replace the connector's actions with the HTTP action authenticated by the logic app's managed identity against Microsoft Graph " +
                "(audience https://graph.microsoft.com, with the Graph application permissions the calls need).", id.Id);

        private static async Task<JsonObject> ReadAsync(ArmRestClient arm, string resourceId, string apiVersion, CancellationToken cancellationToken)
        {
            using var document = await arm.GetAsync($"{resourceId}?api-version={apiVersion}", resourceId, cancellationToken).ConfigureAwait(false);
            return JsonEdit.ToObject(document);
        }

        /// <summary>The $connections entries (reference names) of a workflow that point at the connection.</summary>
        private static List<string> References(JsonNode workflow, string connectionId) =>
            (JsonEdit.Get(workflow, "properties", "parameters", "$connections", "value") as JsonObject)?
                .Where(p => string.Equals(JsonEdit.String(p.Value, "connectionId"), connectionId, StringComparison.OrdinalIgnoreCase))
                .Select(p => p.Key).ToList() ?? new List<string>();

        private static bool HasManagedIdentityAuthentication(JsonNode workflow, string reference, string userAssigned)
        {
            var authentication = JsonEdit.Get(workflow, "properties", "parameters", "$connections", "value", reference, "connectionProperties", "authentication");
            return string.Equals(JsonEdit.String(authentication, "type"), ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
                && string.Equals(JsonEdit.String(authentication, "identity"), userAssigned, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The api-version to read a target resource with: the module's own for the types it knows, else the newest stable one its provider registers.</summary>
        private async Task<string> VersionForAsync(ArmRestClient arm, AzureResourceId resource, CancellationToken cancellationToken)
        {
            switch (resource.ResourceType.ToLowerInvariant())
            {
                case "microsoft.servicebus/namespaces": return "2021-11-01";
                case "microsoft.eventhub/namespaces": return "2024-01-01";
                case "microsoft.storage/storageaccounts": return "2023-01-01";
                case "microsoft.keyvault/vaults": return VaultApiVersion;
                default: return await providerVersions.ForAsync(arm, resource, cancellationToken).ConfigureAwait(false);
            }
        }

        private static System.Text.Json.JsonDocument JsonDocumentOf(JsonNode node) => System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(node));

        private static string Last(string resourceId) => resourceId.TrimEnd('/').Substring(resourceId.TrimEnd('/').LastIndexOf('/') + 1);
    }
}
