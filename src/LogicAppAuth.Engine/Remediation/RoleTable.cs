using System;
using System.Collections.Generic;
using System.Linq;
using LogicAppAuth.Engine.Errors;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>A built-in Azure role: its name and the GUID of its definition (the same in every subscription).</summary>
public sealed class BuiltInRole
{
    public BuiltInRole(string name, string id)
    {
        Name = name;
        Id = id;
    }

    public string Name { get; }
    public string Id { get; }

    public string DefinitionId(string subscriptionId) => $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{Id}";
}

/// <summary>
/// The narrowest built-in role each managed-identity connector needs on its target resource. Data-plane roles only:
/// Contributor and Owner are never chosen here; they are granted only when -Role names them. Pure data.
/// </summary>
public static class RoleTable
{
    public static readonly BuiltInRole ServiceBusDataSender = new BuiltInRole("Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39");
    public static readonly BuiltInRole ServiceBusDataReceiver = new BuiltInRole("Azure Service Bus Data Receiver", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0");
    public static readonly BuiltInRole EventHubsDataSender = new BuiltInRole("Azure Event Hubs Data Sender", "2b629674-e913-4c01-ae53-ef4638d8f975");
    public static readonly BuiltInRole EventHubsDataReceiver = new BuiltInRole("Azure Event Hubs Data Receiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde");
    public static readonly BuiltInRole StorageBlobDataContributor = new BuiltInRole("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe");
    public static readonly BuiltInRole StorageBlobDataReader = new BuiltInRole("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
    public static readonly BuiltInRole StorageQueueDataContributor = new BuiltInRole("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88");
    public static readonly BuiltInRole StorageTableDataContributor = new BuiltInRole("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3");
    public static readonly BuiltInRole KeyVaultSecretsUser = new BuiltInRole("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6");

    /// <summary>Every role -Role accepts by name, narrow ones first.</summary>
    public static readonly IReadOnlyList<BuiltInRole> Known = new[]
    {
        ServiceBusDataSender, ServiceBusDataReceiver, new BuiltInRole("Azure Service Bus Data Owner", "090c5cfd-751d-490a-894a-3ce6f1109419"),
        EventHubsDataSender, EventHubsDataReceiver, new BuiltInRole("Azure Event Hubs Data Owner", "f526a384-b230-433a-b45c-95f59c4a2dec"),
        StorageBlobDataReader, StorageBlobDataContributor, new BuiltInRole("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
        new BuiltInRole("Storage Queue Data Reader", "19e7f393-937e-4f77-808e-94535e297925"), StorageQueueDataContributor,
        new BuiltInRole("Storage Table Data Reader", "76199698-9eea-4c19-bc75-cec21354c6b6"), StorageTableDataContributor,
        KeyVaultSecretsUser, new BuiltInRole("Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2"),
        new BuiltInRole("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        new BuiltInRole("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
        new BuiltInRole("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    };

    /// <summary>The connectors this table knows, with the role(s) for how they are used.</summary>
    public static bool Covers(string apiName) => For(apiName, ConnectionUsage.Send).Count > 0;

    /// <summary>
    /// The roles a connector needs for the given usage: Service Bus and Event Hubs get Sender for actions and Receiver
    /// for triggers (both when both are used; Sender when the usage is unknown); storage and Key Vault get one role.
    /// </summary>
    public static IReadOnlyList<BuiltInRole> For(string apiName, ConnectionUsage usage)
    {
        switch ((apiName ?? "").ToLowerInvariant())
        {
            case "servicebus":
                return ByUsage(usage, ServiceBusDataSender, ServiceBusDataReceiver);
            case "eventhubs":
                return ByUsage(usage, EventHubsDataSender, EventHubsDataReceiver);
            case "azureblob":
                return new[] { StorageBlobDataContributor };
            case "azurequeues":
                return new[] { StorageQueueDataContributor };
            case "azuretables":
                return new[] { StorageTableDataContributor };
            case "keyvault":
                return new[] { KeyVaultSecretsUser };
            default:
                return Array.Empty<BuiltInRole>();
        }
    }

    /// <summary>A role named by the user: a known name (any case) or a role definition GUID.</summary>
    public static BuiltInRole Resolve(string nameOrId)
    {
        var text = (nameOrId ?? "").Trim();
        var known = Known.FirstOrDefault(r => string.Equals(r.Name, text, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Id, text, StringComparison.OrdinalIgnoreCase));
        if (known != null)
        {
            return known;
        }

        if (Guid.TryParse(text.Substring(text.LastIndexOf('/') + 1), out var id))
        {
            return new BuiltInRole(id.ToString("D"), id.ToString("D"));
        }

        throw new LogicAppAuthException("UnknownRole", FailureKind.InvalidArgument,
            $"'{nameOrId}' is not a role this module knows. Give one of: {string.Join(", ", Known.Select(r => "'" + r.Name + "'"))}, or a role definition GUID.", nameOrId);
    }

    private static IReadOnlyList<BuiltInRole> ByUsage(ConnectionUsage usage, BuiltInRole sender, BuiltInRole receiver)
    {
        var roles = new List<BuiltInRole>();
        if ((usage & ConnectionUsage.Send) != 0 || usage == ConnectionUsage.None)
        {
            roles.Add(sender);
        }

        if ((usage & ConnectionUsage.Receive) != 0)
        {
            roles.Add(receiver);
        }

        return roles;
    }
}
