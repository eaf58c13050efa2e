using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LogicAppAuth.Engine.Arm;

namespace LogicAppAuth.Engine.LogicApps;

/// <summary>
/// A built-in (service provider) connection of a Standard app: an entry of <c>serviceProviderConnections</c> in its
/// connections.json, with its app settings resolved. Its connection string (which holds a key or signature) is kept in
/// memory for the checks and never written anywhere.
/// </summary>
internal sealed class BuiltInConnection
{
    public const string ResourceType = "Microsoft.Web/sites/serviceProviderConnections";
    private const string Segment = "/serviceProviderConnections/";

    /// <summary>Provider → the managed connector whose target, roles and api-versions it shares, and its managed-identity endpoint parameter.</summary>
    private static readonly Dictionary<string, (string Api, string EndpointParameter)> Providers = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
    {
        ["serviceBus"] = ("servicebus", "fullyQualifiedNamespace"),
        ["eventHub"] = ("eventhubs", "fullyQualifiedNamespace"),
        ["AzureBlob"] = ("azureblob", "blobStorageEndpoint"),
        ["azureTables"] = ("azuretables", "tableStorageEndpoint"),
        ["azurequeues"] = ("azurequeues", "queueServiceUri"),
        ["keyVault"] = ("keyvault", "VaultUri"),
    };

    private static readonly string[] EndpointParameters = { "fullyQualifiedNamespace", "blobStorageEndpoint", "tableStorageEndpoint", "queueServiceUri", "VaultUri" };

    public string AppId { get; private set; } = "";
    public string AppName { get; private set; } = "";
    public string AppLocation { get; private set; } = "";
    public LogicAppIdentity AppIdentity { get; private set; } = LogicAppIdentity.None;

    /// <summary>The entry's key in serviceProviderConnections.</summary>
    public string EntryName { get; private set; } = "";

    /// <summary>The service provider (<c>serviceBus</c>, <c>AzureBlob</c>, …), the last segment of <c>serviceProvider.id</c>.</summary>
    public string Provider { get; private set; } = "";

    public string DisplayName { get; private set; } = "";
    public AuthenticationType Authentication { get; private set; }

    /// <summary>The user-assigned identity <c>authProvider.Identity</c> names; "" for the app's system-assigned one.</summary>
    public string IdentityId { get; private set; } = "";

    /// <summary>The target as the entry names it: an endpoint, namespace or account name ("" when not known).</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The app settings the entry names.</summary>
    public IReadOnlyList<string> Settings { get; private set; } = Array.Empty<string>();

    /// <summary>The app settings the entry names that are absent or empty.</summary>
    public IReadOnlyList<string> MissingSettings { get; private set; } = Array.Empty<string>();

    /// <summary>Why a value could not be read ("" when all were).</summary>
    public string Unreadable { get; private set; } = "";

    /// <summary>The resolved connection string; in memory only.</summary>
    internal ConnectionString? Secret { get; private set; }

    public string ResourceId => AppId + Segment + EntryName;
    public string Name => AppName + "/" + EntryName;

    /// <summary>The managed connector it shares its target, roles and api-versions with; "" when none.</summary>
    public string ManagedApi => Providers.TryGetValue(Provider, out var known) ? known.Api : "";

    /// <summary>The parameter that names the target in the provider's managed-identity parameter set; "" when the module does not know it.</summary>
    public string ManagedIdentityEndpointParameter => Providers.TryGetValue(Provider, out var known) ? known.EndpointParameter : "";

    /// <summary>True for <c>{app}/serviceProviderConnections/{name}</c>.</summary>
    public static bool IsBuiltInId(string resourceId) => resourceId.IndexOf(Segment, StringComparison.OrdinalIgnoreCase) > 0;

    /// <summary>(app id, entry name) of a built-in connection id.</summary>
    public static (string AppId, string EntryName) Split(string resourceId)
    {
        var index = resourceId.IndexOf(Segment, StringComparison.OrdinalIgnoreCase);
        return (resourceId.Substring(0, index), resourceId.Substring(index + Segment.Length).TrimEnd('/'));
    }

    /// <summary>Every serviceProviderConnections entry of a Standard app's connections.json.</summary>
    public static IReadOnlyList<BuiltInConnection> Read(JsonElement site, JsonElement connectionsFile, DeploymentValues values)
    {
        if (!(Json.Path(connectionsFile, "serviceProviderConnections") is JsonElement entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return Array.Empty<BuiltInConnection>();
        }

        return entries.EnumerateObject().Select(entry => ReadEntry(site, entry.Name, entry.Value, values)).ToList();
    }

    private static BuiltInConnection ReadEntry(JsonElement site, string name, JsonElement entry, DeploymentValues values)
    {
        var parameters = Json.Path(entry, "parameterValues") ?? default;
        var written = parameters.ValueKind == JsonValueKind.Object ? parameters.EnumerateObject().ToList() : new List<JsonProperty>();
        var settings = written.Where(p => p.Value.ValueKind == JsonValueKind.String).SelectMany(p => DeploymentValues.SettingsIn(p.Value.GetString() ?? ""))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var connection = new BuiltInConnection
        {
            AppId = Json.String(site, "id"),
            AppName = Json.String(site, "name"),
            AppLocation = Json.String(site, "location").Replace(" ", "").ToLowerInvariant(),
            AppIdentity = LogicAppIdentity.Read(site),
            EntryName = name,
            Provider = AzureResourceId.LastSegment(Json.String(entry, "serviceProvider", "id")),
            DisplayName = Json.String(entry, "displayName"),
            Settings = settings,
            MissingSettings = settings.Where(values.IsMissing).ToList(),
            Unreadable = values.Unreadable,
        };

        var authProvider = Json.Path(parameters, "authProvider");
        var connectionString = values.Resolve(Json.String(parameters, "connectionString"));
        if (authProvider is JsonElement provider && string.Equals(values.Resolve(Json.String(provider, "Type")), "ManagedServiceIdentity", StringComparison.OrdinalIgnoreCase))
        {
            connection.Authentication = AuthenticationType.ManagedIdentity;
            connection.IdentityId = values.Resolve(Json.String(provider, "Identity")) ?? "";
            connection.Endpoint = EndpointParameters.Select(p => values.Resolve(Json.String(parameters, p)) ?? "").FirstOrDefault(v => v.Length > 0) ?? "";
        }
        else if (!string.IsNullOrEmpty(connectionString))
        {
            connection.Secret = ConnectionString.Parse(connectionString!);
            connection.Authentication = connection.Secret.Authentication;
            connection.Endpoint = connection.Secret.Endpoint;
        }
        else if (Json.String(parameters, "connectionString").Length == 0 && written.Count > 0)
        {
            connection.Authentication = AuthenticationType.None;
        }

        return connection;
    }
}
