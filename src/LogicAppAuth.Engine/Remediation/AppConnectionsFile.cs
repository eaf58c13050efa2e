using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using LogicAppAuth.Engine.Arm;
using LogicAppAuth.Engine.LogicApps;

namespace LogicAppAuth.Engine.Remediation;

/// <summary>
/// A Standard app's connections.json as a file, read and written through the site's host runtime
/// (<c>{site}/hostruntime/admin/vfs/connections.json</c>): its exact text, the ETag that guards a write, and the
/// managedApiConnections entries that name a connection. Edits keep every other entry and property.
/// </summary>
internal sealed class AppConnectionsFile
{
    public const string ApiVersion = ApiVersions.HostRuntime;
    public const string ResourceType = "connections.json";
    private const string ManagedServiceIdentity = "ManagedServiceIdentity";
    private const char ByteOrderMark = '\uFEFF';

    internal AppConnectionsFile(string siteId, string text, string etag, DeploymentValues? values = null)
        : this(siteId, text, etag, Parse(text), values)
    {
    }

    private AppConnectionsFile(string siteId, string text, string etag, JsonObject content, DeploymentValues? values)
    {
        SiteId = siteId;
        Text = text;
        ETag = etag;
        Content = content;
        Values = values ?? DeploymentValues.None;
    }

    /// <summary>The app settings and parameters.json values the file's expressions resolve to.</summary>
    public DeploymentValues Values { get; }

    public string SiteId { get; }
    public string Text { get; }
    public string ETag { get; }
    public JsonObject Content { get; }

    /// <summary>The file's address, used as its id in plans, backups and messages.</summary>
    public static string AddressOf(string siteId) => $"{siteId}/hostruntime/admin/vfs/connections.json";

    /// <summary>The app a file address belongs to: <c>{site}/hostruntime/admin/vfs/{file}</c> → <c>{site}</c>.</summary>
    public static string SiteIdOf(string address)
    {
        var marker = address.IndexOf("/hostruntime/", StringComparison.OrdinalIgnoreCase);
        return marker < 0 ? address : address.Substring(0, marker);
    }

    public static string UrlOf(string siteId) => $"{AddressOf(siteId)}?relativePath=1&api-version={ApiVersion}";

    public static async Task<AppConnectionsFile> ReadAsync(ArmRestClient arm, string siteId, CancellationToken cancellationToken, DeploymentValues? values = null)
    {
        var (text, etag) = await arm.GetFileAsync(UrlOf(siteId), AddressOf(siteId), cancellationToken).ConfigureAwait(false);
        return new AppConnectionsFile(siteId, text, etag, values);
    }

    /// <summary>The file as listWorkflowsConnections showed it (content only: no text, no ETag), to decide whether it needs a change.</summary>
    public static AppConnectionsFile FromListed(string siteId, JsonNode? content, DeploymentValues? values = null) =>
        new AppConnectionsFile(siteId, "", "", content as JsonObject ?? new JsonObject(), values);

    /// <summary>What tells that the file changed: a hash of its exact text.</summary>
    public static string Fingerprint(string text)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        return "sha256:" + string.Concat(hash.Take(8).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    public string CurrentFingerprint => Fingerprint(Text);

    /// <summary>
    /// The names of the managedApiConnections entries that point at the connection (ids compared ignoring case and a
    /// trailing slash, app-setting expressions resolved; an id that cannot be resolved matches by connection name
    /// within the app's subscription).
    /// </summary>
    public IReadOnlyList<string> EntriesFor(string connectionId) =>
        (JsonEdit.Get(Content, "managedApiConnections") as JsonObject)?
            .Where(p => Names(JsonEdit.String(p.Value, "connection", "id"), connectionId))
            .Select(p => p.Key).ToList() ?? new List<string>();

    private bool Names(string written, string connectionId)
    {
        var wanted = connectionId.TrimEnd('/');
        var resolved = Values.Resolve(written.TrimEnd('/'));
        return resolved != null
            ? string.Equals(resolved, wanted, StringComparison.OrdinalIgnoreCase)
            : string.Equals(AzureResourceId.LastSegment(written), AzureResourceId.LastSegment(wanted), StringComparison.OrdinalIgnoreCase)
                && string.Equals(AzureResourceId.SubscriptionOf(SiteId), AzureResourceId.SubscriptionOf(wanted), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The entries for the connection that do not yet authenticate with the managed identity: with
    /// <paramref name="userAssignedIdentity"/> "" any managed identity counts (the app's system-assigned one, or a
    /// user-assigned one the entry names); otherwise it must be that identity. Entries whose authentication is an
    /// expression (e.g. "@parameters('…')") are left to <see cref="ExpressionEntriesFor"/>.
    /// </summary>
    public IReadOnlyList<string> EntriesToSwitch(string connectionId, string userAssignedIdentity) =>
        EntriesFor(connectionId).Where(name =>
        {
            var authentication = JsonEdit.Get(Content, "managedApiConnections", name, "authentication");
            if (authentication is JsonValue)
            {
                return false;
            }

            return !string.Equals(JsonEdit.String(authentication, "type"), ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
                || (userAssignedIdentity.Length > 0 && !string.Equals(JsonEdit.String(authentication, "identity"), userAssignedIdentity, StringComparison.OrdinalIgnoreCase));
        }).ToList();

    /// <summary>Entries for the connection whose authentication is an expression resolved at deployment (parameters.json), which the module does not rewrite.</summary>
    public IReadOnlyList<string> ExpressionEntriesFor(string connectionId) =>
        EntriesFor(connectionId).Where(name => JsonEdit.Get(Content, "managedApiConnections", name, "authentication") is JsonValue).ToList();

    /// <summary>
    /// The expression entries whose authentication, as parameters.json resolves it, is not yet the managed identity
    /// wanted (or cannot be known), each with the parameter it comes from.
    /// </summary>
    public IReadOnlyList<(string Entry, string Parameter)> ExpressionEntriesToSwitch(string connectionId, string userAssignedIdentity)
    {
        var result = new List<(string, string)>();
        foreach (var name in ExpressionEntriesFor(connectionId))
        {
            using var document = System.Text.Json.JsonDocument.Parse(JsonEdit.Serialize(JsonEdit.Get(Content, "managedApiConnections", name, "authentication")!));
            var effective = Values.Authentication(document.RootElement);
            bool done = effective is (string type, string identity)
                && string.Equals(type, ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
                && (userAssignedIdentity.Length == 0 || string.Equals(identity, userAssignedIdentity, StringComparison.OrdinalIgnoreCase));
            if (!done)
            {
                result.Add((name, DeploymentValues.ParameterOf(document.RootElement)));
            }
        }

        return result;
    }

    public string AuthenticationOf(string entryName) => JsonEdit.String(Content, "managedApiConnections", entryName, "authentication", "type");

    /// <summary>
    /// The file's new text: the entries' app-to-connection <c>authentication</c> becomes the managed identity (the key or
    /// other sign-in it replaces is dropped), everything else is kept in its order.
    /// </summary>
    public string WithManagedIdentity(string connectionId, string userAssignedIdentity)
    {
        var content = (JsonObject)Content.DeepClone();
        foreach (var name in EntriesToSwitch(connectionId, userAssignedIdentity))
        {
            var entry = (JsonObject)JsonEdit.Get(content, "managedApiConnections", name)!;
            var authentication = new JsonObject { ["type"] = ManagedServiceIdentity };
            if (userAssignedIdentity.Length > 0)
            {
                authentication["identity"] = userAssignedIdentity;
            }

            entry[JsonEdit.KeyOf(entry, "authentication")] = authentication;
        }

        return JsonEdit.Serialize(content, indented: true);
    }

    /// <summary>Whether a serviceProviderConnections entry already signs in with the managed identity wanted ("" = the app's system-assigned one).</summary>
    public bool BuiltInUsesManagedIdentity(string entryName, string userAssignedIdentity)
    {
        var provider = JsonEdit.Get(Content, "serviceProviderConnections", entryName, "parameterValues", "authProvider");
        return string.Equals(Values.Resolve(JsonEdit.String(provider, "Type")), ManagedServiceIdentity, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Values.Resolve(JsonEdit.String(provider, "Identity")) ?? "", userAssignedIdentity, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The file's new text: the built-in connection's parameters become the provider's managed-identity set (the
    /// target's endpoint and <c>authProvider</c>); the connection string or key it replaces is dropped from the file
    /// (the app setting that held it stays), and every other entry and property is kept in its order.
    /// </summary>
    public string WithBuiltInManagedIdentity(string entryName, string endpointParameter, string endpoint, string userAssignedIdentity)
    {
        var content = (JsonObject)Content.DeepClone();
        var entry = (JsonObject)JsonEdit.Get(content, "serviceProviderConnections", entryName)!;
        var authProvider = new JsonObject { ["Type"] = ManagedServiceIdentity };
        if (userAssignedIdentity.Length > 0)
        {
            authProvider["Identity"] = userAssignedIdentity;
        }

        entry[JsonEdit.KeyOf(entry, "parameterValues")] = new JsonObject { [endpointParameter] = endpoint, ["authProvider"] = authProvider };
        if (JsonEdit.Get(entry, "parameterSetName") != null)
        {
            entry[JsonEdit.KeyOf(entry, "parameterSetName")] = ManagedServiceIdentity;
        }

        return JsonEdit.Serialize(content, indented: true);
    }

    /// <summary>The file's content; a byte order mark (which some editors write) is not part of the JSON.</summary>
    private static JsonObject Parse(string text)
    {
        var json = text.TrimStart(ByteOrderMark);
        return json.Trim().Length == 0 ? new JsonObject() : JsonEdit.ParseObject(json);
    }
}
