using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Scenarios.Generator;

/// <summary>
/// Built-in (service provider) connections of the generated Standard apps: every app gets app settings, a workflow, and
/// 1–3 <c>serviceProviderConnections</c> entries against a Service Bus namespace and a storage account of its resource group
/// (connection strings with the current or a rotated key, SAS connection strings expired or valid, managed identity with or
/// without the data role, a setting that is missing). Drawn from a random of their own, so the managed connections, workflows
/// and counts of a seed stay what they were without them.
/// </summary>
public sealed partial class ScenarioGenerator
{
    private Random? _builtInRandom;
    private readonly Dictionary<string, (string Namespace, string Account)> _builtInTargets = new(StringComparer.OrdinalIgnoreCase);

    private Random BuiltInRandom => _builtInRandom ??= new Random(unchecked(_options.Seed * 31 + 17));

    private bool BuiltInChance(double probability) => BuiltInRandom.NextDouble() < probability;

    private void AddBuiltInConnections(int a, Group group, string appName, string siteId, string principalId, JsonObject managed)
    {
        var (ns, account) = BuiltInTargets(group);
        var nsId = $"{group.Id}/providers/Microsoft.ServiceBus/namespaces/{ns}";
        var accountId = $"{group.Id}/providers/Microsoft.Storage/storageAccounts/{account}";
        var keys = _scenario.AccessKeys[$"{nsId}/authorizationRules/RootManageSharedAccessKey"];
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_EXTENSION_VERSION"] = "~4",
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet",
            ["APP_KIND"] = "workflowApp",
            ["AzureWebJobsStorage"] = $"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={_scenario.AccessKeys[accountId]["key1"]};EndpointSuffix=core.windows.net",
            ["WORKFLOWS_SUBSCRIPTION_ID"] = group.SubscriptionId,
            ["WORKFLOWS_RESOURCE_GROUP_NAME"] = group.Name,
            ["WORKFLOWS_LOCATION_NAME"] = group.Location,
        };
        var builtIn = new JsonObject();
        var sasTime = (DateTime day) => day.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        // Service Bus by connection string: mostly the current key, sometimes one regenerated since.
        if (BuiltInChance(0.8))
        {
            var rotated = BuiltInChance(0.12);
            var key = rotated ? GeneratedKey($"{nsId}|before-rotation|{a}", 32) : keys["primaryKey"];
            settings["serviceBus_connectionString"] = $"Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}";
            builtIn["serviceBus"] = ServiceProviderConnection("serviceBus", "connectionString", new JsonObject { ["connectionString"] = "@appsetting('serviceBus_connectionString')" });
        }

        // Blob storage by managed identity (with or without Storage Blob Data Contributor) or by SAS (expired or not).
        var blob = BuiltInRandom.NextDouble();
        if (blob < 0.5)
        {
            settings["AzureBlob_blobStorageEndpoint"] = $"https://{account}.blob.core.windows.net/";
            builtIn["AzureBlob"] = ServiceProviderConnection("AzureBlob", "ManagedServiceIdentity", new JsonObject
            {
                ["blobStorageEndpoint"] = "@appsetting('AzureBlob_blobStorageEndpoint')",
                ["authProvider"] = new JsonObject { ["Type"] = "ManagedServiceIdentity" },
            });
            if (BuiltInChance(0.8))
            {
                _scenario.RoleAssignments.Add(new ScenarioRoleAssignment { PrincipalId = principalId, Role = "Storage Blob Data Contributor", Scope = accountId });
            }
        }
        else if (blob < 0.85)
        {
            var expiry = BuiltInChance(0.2) ? _today.AddDays(-BuiltInRandom.Next(1, 60)) : _today.AddDays(BuiltInRandom.Next(5, 365));
            var signature = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId}|sas|{a}")));
            settings["AzureBlob_connectionString"] = $"BlobEndpoint=https://{account}.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=sco&sp=rwlac" +
                $"&se={sasTime(expiry)}&st={sasTime(expiry.AddDays(-180))}&spr=https&sig={Uri.EscapeDataString(signature)}";
            builtIn["AzureBlob"] = ServiceProviderConnection("AzureBlob", "connectionString", new JsonObject { ["connectionString"] = "@appsetting('AzureBlob_connectionString')" });
        }

        // Now and then a connection whose app setting was never added (or was deleted).
        if (BuiltInChance(0.05) || builtIn.Count == 0)
        {
            builtIn["sql"] = ServiceProviderConnection("sql", "connectionString", new JsonObject { ["connectionString"] = "@appsetting('sql_connectionString')" });
        }

        var connections = _scenario.StandardAppConnections[siteId];
        connections["serviceProviderConnections"] = builtIn;
        _scenario.StandardApps[siteId] = new ScenarioStandardApp
        {
            AppSettings = settings,
            Files = new Dictionary<string, JsonNode>(StringComparer.OrdinalIgnoreCase)
            {
                ["host.json"] = new JsonObject
                {
                    ["version"] = "2.0",
                    ["extensionBundle"] = new JsonObject { ["id"] = "Microsoft.Azure.Functions.ExtensionBundle.Workflows", ["version"] = "[1.*, 2.0.0)" },
                },
                [$"wf-{appName}/workflow.json"] = GeneratedWorkflow(builtIn, managed),
            },
        };
    }

    /// <summary>One Service Bus namespace (with its RootManageSharedAccessKey rule) and one storage account per resource group
    /// that holds a Standard app, with their keys.</summary>
    private (string Namespace, string Account) BuiltInTargets(Group group)
    {
        if (_builtInTargets.TryGetValue(group.Id, out var targets))
        {
            return targets;
        }

        var index = _builtInTargets.Count;
        var suffix = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(group.Id.ToLowerInvariant())), 0, 4).ToLowerInvariant();
        targets = ($"sb-gen-{index + 1:000}-{suffix}", $"stgen{index + 1:000}{suffix}");
        _builtInTargets[group.Id] = targets;
        var nsId = $"{group.Id}/providers/Microsoft.ServiceBus/namespaces/{targets.Namespace}";
        var accountId = $"{group.Id}/providers/Microsoft.Storage/storageAccounts/{targets.Account}";
        var created = _today.AddDays(-400 - index).ToString("yyyy-MM-dd'T'HH:mm:ss.ff'Z'", CultureInfo.InvariantCulture);
        _scenario.Resources.Add(new JsonObject
        {
            ["id"] = nsId,
            ["name"] = targets.Namespace,
            ["type"] = "Microsoft.ServiceBus/namespaces",
            ["location"] = group.Location,
            ["sku"] = new JsonObject { ["name"] = "Standard", ["tier"] = "Standard" },
            ["tags"] = new JsonObject(),
            ["properties"] = new JsonObject
            {
                ["minimumTlsVersion"] = "1.2",
                ["publicNetworkAccess"] = "Enabled",
                ["disableLocalAuth"] = false,
                ["provisioningState"] = "Succeeded",
                ["createdAt"] = created,
                ["serviceBusEndpoint"] = $"https://{targets.Namespace}.servicebus.windows.net:443/",
                ["status"] = "Active",
            },
        });
        _scenario.Resources.Add(new JsonObject
        {
            ["id"] = $"{nsId}/authorizationRules/RootManageSharedAccessKey",
            ["name"] = "RootManageSharedAccessKey",
            ["type"] = "Microsoft.ServiceBus/namespaces/authorizationRules",
            ["location"] = group.Location,
            ["properties"] = new JsonObject { ["rights"] = new JsonArray("Listen", "Manage", "Send") },
        });
        _scenario.Resources.Add(new JsonObject
        {
            ["id"] = accountId,
            ["name"] = targets.Account,
            ["type"] = "Microsoft.Storage/storageAccounts",
            ["location"] = group.Location,
            ["sku"] = new JsonObject { ["name"] = "Standard_LRS", ["tier"] = "Standard" },
            ["kind"] = "StorageV2",
            ["tags"] = new JsonObject(),
            ["properties"] = new JsonObject
            {
                ["provisioningState"] = "Succeeded",
                ["allowSharedKeyAccess"] = true,
                ["minimumTlsVersion"] = "TLS1_2",
                ["primaryEndpoints"] = new JsonObject
                {
                    ["blob"] = $"https://{targets.Account}.blob.core.windows.net/",
                    ["queue"] = $"https://{targets.Account}.queue.core.windows.net/",
                    ["table"] = $"https://{targets.Account}.table.core.windows.net/",
                },
                ["primaryLocation"] = group.Location,
                ["statusOfPrimary"] = "available",
                ["creationTime"] = created,
            },
        });
        _scenario.AccessKeys[$"{nsId}/authorizationRules/RootManageSharedAccessKey"] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["primaryKey"] = GeneratedKey(nsId + "|primary", 32),
            ["secondaryKey"] = GeneratedKey(nsId + "|secondary", 32),
        };
        _scenario.AccessKeys[accountId] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["key1"] = GeneratedKey(accountId + "|key1", 64),
            ["key2"] = GeneratedKey(accountId + "|key2", 64),
        };
        return targets;
    }

    private string GeneratedKey(string text, int length) =>
        Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes($"{_options.Seed}|{text.ToLowerInvariant()}")), 0, length);

    private static JsonObject ServiceProviderConnection(string provider, string parameterSet, JsonObject values) => new()
    {
        ["parameterValues"] = values,
        ["parameterSetName"] = parameterSet,
        ["serviceProvider"] = new JsonObject { ["id"] = "/serviceProviders/" + provider },
        ["displayName"] = provider,
    };

    /// <summary>A workflow that names every connection of the app: ServiceProvider actions for the built-in ones,
    /// ApiConnection actions (referenceName) for the managed ones.</summary>
    private static JsonObject GeneratedWorkflow(JsonObject builtIn, JsonObject managed)
    {
        var actions = new JsonObject();
        string? previous = null;
        JsonObject After() => previous is null ? new JsonObject() : new JsonObject { [previous] = new JsonArray("SUCCEEDED") };
        foreach (var (name, connection) in builtIn)
        {
            var provider = (string)connection!["serviceProvider"]!["id"]!;
            var operation = provider.EndsWith("serviceBus", StringComparison.Ordinal) ? "sendMessage" : provider.EndsWith("sql", StringComparison.Ordinal) ? "executeQuery" : "uploadBlob";
            var action = $"Call_{name}";
            actions[action] = new JsonObject
            {
                ["type"] = "ServiceProvider",
                ["inputs"] = new JsonObject
                {
                    ["parameters"] = new JsonObject(),
                    ["serviceProviderConfiguration"] = new JsonObject { ["connectionName"] = name, ["operationId"] = operation, ["serviceProviderId"] = provider },
                },
                ["runAfter"] = After(),
            };
            previous = action;
        }

        foreach (var (name, _) in managed)
        {
            var action = $"Call_{name}";
            actions[action] = new JsonObject
            {
                ["type"] = "ApiConnection",
                ["inputs"] = new JsonObject
                {
                    ["host"] = new JsonObject { ["connection"] = new JsonObject { ["referenceName"] = name } },
                    ["method"] = "get",
                    ["path"] = "/testconnection",
                },
                ["runAfter"] = After(),
            };
            previous = action;
        }

        return new JsonObject
        {
            ["definition"] = new JsonObject
            {
                ["$schema"] = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
                ["contentVersion"] = "1.0.0.0",
                ["triggers"] = new JsonObject { ["Recurrence"] = new JsonObject { ["type"] = "Recurrence", ["recurrence"] = new JsonObject { ["frequency"] = "Hour", ["interval"] = 1 } } },
                ["actions"] = actions,
                ["outputs"] = new JsonObject(),
            },
            ["kind"] = "Stateful",
        };
    }
}
