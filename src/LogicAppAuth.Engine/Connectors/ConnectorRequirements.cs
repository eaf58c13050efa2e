using System;
using System.Collections.Generic;
using System.Linq;

namespace LogicAppAuth.Engine.Connectors;

/// <summary>What a managed-identity connector needs on its target resource: the resource, and the RBAC (data) actions of which one is enough.</summary>
public sealed class ConnectorRequirement
{
    public ConnectorRequirement(string apiName, string resourceType, string[] targetParameters, string[] anyOfDataActions, string[] anyOfActions, string leastPrivilegedRole)
    {
        ApiName = apiName;
        ResourceType = resourceType;
        TargetParameters = targetParameters;
        AnyOfDataActions = anyOfDataActions;
        AnyOfActions = anyOfActions;
        LeastPrivilegedRole = leastPrivilegedRole;
    }

    public string ApiName { get; }
    public string ResourceType { get; }
    /// <summary>The api-version to list the target resources with.</summary>
    internal string ListApiVersion => Arm.ApiVersions.ForResourceType(ResourceType) ?? "";

    /// <summary>Connection parameters that name the target (an account or vault name, or an endpoint URL).</summary>
    public string[] TargetParameters { get; }

    public string[] AnyOfDataActions { get; }
    public string[] AnyOfActions { get; }
    public string LeastPrivilegedRole { get; }

    public IEnumerable<string> Describe() => AnyOfDataActions.Concat(AnyOfActions);
}

/// <summary>The connectors whose managed-identity permissions can be checked through Azure RBAC. Pure data.</summary>
public static class ConnectorRequirements
{
    private static readonly Dictionary<string, ConnectorRequirement> ByApi = new[]
    {
        new ConnectorRequirement("servicebus", "Microsoft.ServiceBus/namespaces", new[] { "namespaceEndpoint", "namespaceName" },
            new[] { "Microsoft.ServiceBus/namespaces/messages/send/action", "Microsoft.ServiceBus/namespaces/messages/receive/action" }, new string[0],
            "Azure Service Bus Data Sender"),
        new ConnectorRequirement("eventhubs", "Microsoft.EventHub/namespaces", new[] { "namespaceEndpoint", "namespaceName" },
            new[] { "Microsoft.EventHub/namespaces/messages/send/action", "Microsoft.EventHub/namespaces/messages/receive/action" }, new string[0],
            "Azure Event Hubs Data Sender"),
        new ConnectorRequirement("azureblob", "Microsoft.Storage/storageAccounts", new[] { "accountName", "blobStorageEndpoint", "storageAccountName" },
            new[] { "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write" }, new string[0],
            "Storage Blob Data Contributor"),
        new ConnectorRequirement("azurequeues", "Microsoft.Storage/storageAccounts", new[] { "storageaccount", "accountName", "queueEndpoint" },
            new[] { "Microsoft.Storage/storageAccounts/queueServices/queues/messages/read", "Microsoft.Storage/storageAccounts/queueServices/queues/messages/add/action" }, new string[0],
            "Storage Queue Data Contributor"),
        new ConnectorRequirement("azuretables", "Microsoft.Storage/storageAccounts", new[] { "storageaccount", "accountName", "tableEndpoint" },
            new[] { "Microsoft.Storage/storageAccounts/tableServices/tables/entities/read", "Microsoft.Storage/storageAccounts/tableServices/tables/entities/write" }, new string[0],
            "Storage Table Data Contributor"),
        new ConnectorRequirement("keyvault", "Microsoft.KeyVault/vaults", new[] { "vaultName" },
            new[] { "Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action" }, new string[0],
            "Key Vault Secrets User"),
    }.ToDictionary(r => r.ApiName, StringComparer.OrdinalIgnoreCase);

    public static ConnectorRequirement? For(string apiName) => ByApi.TryGetValue(apiName ?? "", out var requirement) ? requirement : null;

    /// <summary>
    /// The target resource's name from a connection parameter: "sb://name.servicebus.windows.net/",
    /// "https://name.blob.core.windows.net" and "name.vault.azure.net" all give "name"; a plain name is kept.
    /// </summary>
    public static string ResourceNameFrom(string value)
    {
        var text = (value ?? "").Trim();
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text.Substring(scheme + 3);
        }

        text = text.Split('/', ';')[0];

        int dot = text.IndexOf('.');
        return dot > 0 ? text.Substring(0, dot) : text;
    }
}
