using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LogicAppAuth.Sandbox.Scenarios;

/// <summary>The data a sandbox serves: tenants, principals, RBAC, ARM documents and Graph objects.
/// Format: Scenarios/README.md.</summary>
public sealed class Scenario
{
    public string Name { get; set; } = "";
    public string HomeTenantId { get; set; } = "";
    public List<ScenarioTenant> Tenants { get; set; } = [];
    public List<ScenarioSubscription> Subscriptions { get; set; } = [];
    public List<ScenarioPrincipal> Principals { get; set; } = [];
    public List<ScenarioRoleAssignment> RoleAssignments { get; set; } = [];
    public List<ScenarioResourceGroup> ResourceGroups { get; set; } = [];
    public List<JsonObject> Resources { get; set; } = [];

    /// <summary>connections.json content of Standard apps, keyed by site resource id.</summary>
    public Dictionary<string, JsonObject> StandardAppConnections { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Standard apps' app settings and their other wwwroot files (parameters.json, host.json,
    /// {workflow}/workflow.json), keyed by site resource id.</summary>
    public Dictionary<string, ScenarioStandardApp> StandardApps { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What a listKeys action returns, keyed by the id of the resource it is posted to: for a Service Bus or
    /// Event Hubs authorization rule <c>primaryKey</c> and <c>secondaryKey</c>, for a storage account <c>key1</c> and <c>key2</c>.</summary>
    public Dictionary<string, Dictionary<string, string>> AccessKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ScenarioGraph Graph { get; set; } = new();

    /// <summary>Resources whose updates the sandbox answers 202 and finishes when the operation is polled (Arm/AsyncWrites.cs).</summary>
    public List<string> AsyncWrites { get; set; } = [];

    /// <summary>Management groups (tree), used by Resource Graph's managementGroups scope.</summary>
    public List<ScenarioManagementGroup> ManagementGroups { get; set; } = [];

    /// <summary>When true the store keeps the <see cref="Resources"/> documents themselves instead of copies
    /// (generated scenarios: half the memory and start time; writes then show in <see cref="Resources"/> too).</summary>
    [JsonIgnore]
    public bool ShareResourceDocuments { get; set; }

    /// <summary>The moment the scenario's times are placed relative to: the sandbox's start (or <c>--now</c>).</summary>
    [JsonIgnore]
    public DateTimeOffset TimeAnchor { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The file's <c>timesAsOf</c>: the moment its written times stand at, so that a written time
    /// <c>t</c> is served as <c>TimeAnchor + (t − TimesAsOf)</c>. Null for generated scenarios.</summary>
    [JsonIgnore]
    public DateTimeOffset? TimesAsOf { get; set; }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads a scenario by name (Scenarios/&lt;name&gt;.json next to the assembly) or by file path,
    /// with its times placed relative to <paramref name="anchor"/> (now when null; see <see cref="ScenarioTime"/>).</summary>
    public static Scenario Load(string nameOrPath, DateTimeOffset? anchor = null)
    {
        var path = nameOrPath;
        if (!File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, "Scenarios", nameOrPath + ".json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Scenario '{nameOrPath}' is neither a file nor a built-in scenario.", path);
            }
        }

        var document = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        }) as JsonObject ?? throw new InvalidDataException($"Scenario file '{path}' is empty or not a JSON object.");
        var timeAnchor = (anchor ?? DateTimeOffset.UtcNow).ToUniversalTime();
        DateTimeOffset? timesAsOf = null;
        if (document[ScenarioTime.AsOfProperty] is { } asOf)
        {
            timesAsOf = DateTimeOffset.TryParse((string?)asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var written)
                ? written
                : throw new InvalidDataException($"Scenario file '{path}': {ScenarioTime.AsOfProperty} must be an ISO 8601 date and time.");
            document.Remove(ScenarioTime.AsOfProperty);
            ScenarioTime.Shift(document, timeAnchor - written);
        }

        var scenario = document.Deserialize<Scenario>(JsonOptions)
            ?? throw new InvalidDataException($"Scenario file '{path}' is empty.");
        if (string.IsNullOrEmpty(scenario.Name))
        {
            scenario.Name = Path.GetFileNameWithoutExtension(path);
        }

        scenario.TimeAnchor = timeAnchor;
        scenario.TimesAsOf = timesAsOf;
        scenario.Validate();
        return scenario;
    }

    public ScenarioPrincipal? FindPrincipalByName(string name) =>
        Principals.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public ScenarioPrincipal? FindPrincipalByAppId(string appId) =>
        Principals.FirstOrDefault(p => string.Equals(p.AppId, appId, StringComparison.OrdinalIgnoreCase));

    public ScenarioPrincipal? FindPrincipalByObjectId(string objectId) =>
        Principals.FirstOrDefault(p => string.Equals(p.ObjectId, objectId, StringComparison.OrdinalIgnoreCase));

    public ScenarioSubscription? FindSubscription(string subscriptionId) =>
        Subscriptions.FirstOrDefault(s => string.Equals(s.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase));

    private void Validate()
    {
        if (!Guid.TryParse(HomeTenantId, out _))
        {
            throw new InvalidDataException("Scenario homeTenantId must be a GUID.");
        }

        foreach (var subscription in Subscriptions)
        {
            if (!Guid.TryParse(subscription.SubscriptionId, out _) || !Guid.TryParse(subscription.TenantId, out _))
            {
                throw new InvalidDataException($"Subscription '{subscription.DisplayName}' needs GUID subscriptionId and tenantId.");
            }
        }

        foreach (var resource in Resources)
        {
            if (resource["id"] is null || resource["type"] is null || resource["name"] is null)
            {
                throw new InvalidDataException("Every scenario resource needs id, name and type.");
            }
        }
    }
}

public sealed class ScenarioTenant
{
    public string TenantId { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string DefaultDomain { get; set; } = "";
}

public sealed class ScenarioSubscription
{
    public string SubscriptionId { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string DisplayName { get; set; } = "";
}

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum PrincipalKind
{
    ServicePrincipal,
    ManagedIdentity,
}

/// <summary>An identity that can obtain tokens from the sandbox.</summary>
public sealed class ScenarioPrincipal
{
    public string Name { get; set; } = "";
    public PrincipalKind Kind { get; set; } = PrincipalKind.ServicePrincipal;
    public string DisplayName { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string AppId { get; set; } = "";
    public string ObjectId { get; set; } = "";

    /// <summary>Client secret for the client-credentials grant; null for managed identities.</summary>
    public string? Secret { get; set; }

    /// <summary>Served by the managed-identity endpoint (the Automation account's identity).</summary>
    public bool AutomationIdentity { get; set; }

    /// <summary>Microsoft Graph application permissions, sent as the <c>roles</c> claim of Graph tokens.</summary>
    public List<string> GraphAppRoles { get; set; } = [];
}

public sealed class ScenarioRoleAssignment
{
    /// <summary>Assignment GUID; derived from principal, role and scope when omitted.</summary>
    public string? Name { get; set; }
    public string PrincipalId { get; set; } = "";
    public string PrincipalType { get; set; } = "ServicePrincipal";

    /// <summary>Built-in role name (e.g. "Reader") or role definition GUID.</summary>
    public string Role { get; set; } = "";
    public string Scope { get; set; } = "";
}

public sealed class ScenarioResourceGroup
{
    public string SubscriptionId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Location { get; set; } = "westeurope";
    public Dictionary<string, string>? Tags { get; set; }
}

/// <summary>A Standard app's configuration beyond connections.json.</summary>
public sealed class ScenarioStandardApp
{
    /// <summary>App settings, NAME: VALUE (served by POST {site}/config/appsettings/list).</summary>
    public Dictionary<string, string> AppSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>wwwroot files by relative path (parameters.json, host.json, {workflow}/workflow.json), as JSON.</summary>
    public Dictionary<string, JsonNode> Files { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class ScenarioGraph
{
    public List<JsonObject> Users { get; set; } = [];
    public List<JsonObject> Applications { get; set; } = [];
    public List<JsonObject> ServicePrincipals { get; set; } = [];
}
