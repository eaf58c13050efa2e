namespace LogicAppAuth.Sandbox.Auth;

public sealed record RoleDefinition(
    string Name,
    string Id,
    string[] Actions,
    string[] NotActions,
    string[] DataActions,
    string[] NotDataActions);

/// <summary>
/// The built-in Azure roles the sandbox knows, with their real ids and permissions. This is the one
/// place to add roles; RBAC checks and (later) roleDefinitions routes read it.
/// </summary>
public static class BuiltInRoles
{
    private static readonly string[] None = [];

    public static readonly IReadOnlyList<RoleDefinition> All =
    [
        new("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", ["*"], None, None, None),
        new("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", ["*"],
            [
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
            ], None, None),
        new("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", ["*/read"], None, None, None),
        new("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], None, None, None),
        new("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
            [
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ], None, None, None),
        new("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            [
                "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/containers/write",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ], None,
            [
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
            ], None),
        new("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            [
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ], None,
            ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"], None),
        new("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            [
                "Microsoft.Storage/storageAccounts/queueServices/queues/delete",
                "Microsoft.Storage/storageAccounts/queueServices/queues/read",
                "Microsoft.Storage/storageAccounts/queueServices/queues/write",
            ], None,
            [
                "Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete",
                "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
                "Microsoft.Storage/storageAccounts/queueServices/queues/messages/write",
                "Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action",
            ], None),
        new("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
            [
                "Microsoft.Storage/storageAccounts/tableServices/tables/read",
                "Microsoft.Storage/storageAccounts/tableServices/tables/write",
                "Microsoft.Storage/storageAccounts/tableServices/tables/delete",
            ], None,
            [
                "Microsoft.Storage/storageAccounts/tableServices/tables/entities/read",
                "Microsoft.Storage/storageAccounts/tableServices/tables/entities/write",
                "Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete",
                "Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action",
                "Microsoft.Storage/storageAccounts/tableServices/tables/entities/update/action",
            ], None),
        new("Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
            ["Microsoft.ServiceBus/*/queues/read", "Microsoft.ServiceBus/*/topics/read", "Microsoft.ServiceBus/*/topics/subscriptions/read"],
            None, ["Microsoft.ServiceBus/*/send/action"], None),
        new("Azure Service Bus Data Receiver", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
            ["Microsoft.ServiceBus/*/queues/read", "Microsoft.ServiceBus/*/topics/read", "Microsoft.ServiceBus/*/topics/subscriptions/read"],
            None, ["Microsoft.ServiceBus/*/receive/action"], None),
        new("Azure Service Bus Data Owner", "090c5cfd-751d-490a-894a-3ce6f1109419", ["Microsoft.ServiceBus/*"], None, ["Microsoft.ServiceBus/*"], None),
        new("Azure Event Hubs Data Sender", "2b629674-e913-4c01-ae53-ef4638d8f975",
            ["Microsoft.EventHub/*/eventhubs/read"], None, ["Microsoft.EventHub/*/send/action"], None),
        new("Azure Event Hubs Data Receiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
            ["Microsoft.EventHub/*/eventhubs/consumergroups/read"], None, ["Microsoft.EventHub/*/receive/action"], None),
        new("Storage Account Key Operator Service Role", "81a9662b-bebf-436f-a333-f67b29880f12",
            ["Microsoft.Storage/storageAccounts/listkeys/action", "Microsoft.Storage/storageAccounts/regeneratekey/action"], None, None, None),
        new("Website Contributor", "de139f84-1756-47ae-9be6-808fbbe84772",
            [
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Insights/components/*",
                "Microsoft.ResourceHealth/availabilityStatuses/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
                "Microsoft.Web/certificates/*",
                "Microsoft.Web/listSitesAssignedToHostName/read",
                "Microsoft.Web/serverFarms/join/action",
                "Microsoft.Web/serverFarms/read",
                "Microsoft.Web/sites/*",
            ], None, None, None),
        new("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", None, None,
            ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"], None),
        new("Logic App Contributor", "87a39d53-fc1b-424a-814c-f7e04687dc9e",
            [
                "Microsoft.Authorization/*/read",
                "Microsoft.ClassicStorage/storageAccounts/listKeys/action",
                "Microsoft.ClassicStorage/storageAccounts/read",
                "Microsoft.Insights/metricAlerts/*",
                "Microsoft.Insights/diagnosticSettings/*",
                "Microsoft.Insights/logdefinitions/*",
                "Microsoft.Insights/metricDefinitions/*",
                "Microsoft.Logic/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Storage/storageAccounts/listkeys/action",
                "Microsoft.Storage/storageAccounts/read",
                "Microsoft.Support/*",
                "Microsoft.Web/connectionGateways/*",
                "Microsoft.Web/connections/*",
                "Microsoft.Web/customApis/*",
                "Microsoft.Web/serverFarms/join/action",
                "Microsoft.Web/serverFarms/read",
                "Microsoft.Web/sites/functions/listSecrets/action",
            ], None, None, None),
        new("Logic App Operator", "515c2055-d9d4-4321-b1b9-bd0c9a0f79fe",
            [
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*/read",
                "Microsoft.Insights/metricAlerts/*/read",
                "Microsoft.Insights/diagnosticSettings/*/read",
                "Microsoft.Insights/metricDefinitions/*/read",
                "Microsoft.Logic/*/read",
                "Microsoft.Logic/workflows/disable/action",
                "Microsoft.Logic/workflows/enable/action",
                "Microsoft.Logic/workflows/validate/action",
                "Microsoft.Resources/deployments/operations/read",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
                "Microsoft.Web/connectionGateways/*/read",
                "Microsoft.Web/connections/*/read",
                "Microsoft.Web/customApis/*/read",
                "Microsoft.Web/serverFarms/read",
            ], None, None, None),
    ];

    public static RoleDefinition? Find(string nameOrId) =>
        All.FirstOrDefault(r => r.Name.Equals(nameOrId, StringComparison.OrdinalIgnoreCase) || r.Id.Equals(nameOrId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a role from a role definition id such as /subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}.</summary>
    public static RoleDefinition? FromDefinitionId(string roleDefinitionId) => Find(roleDefinitionId[(roleDefinitionId.LastIndexOf('/') + 1)..]);
}
