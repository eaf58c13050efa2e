using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Every ARM resource (resource groups, role assignments and provider resources) as its full JSON
/// document, indexed case-insensitively by id. Lists are computed by filtering documents, so a PUT
/// later only has to replace a document. Secondary indexes by parent and by type keep lists cheap
/// when a generated scenario holds many thousands of documents.
/// </summary>
public sealed class ResourceStore
{
    private readonly ConcurrentDictionary<string, JsonObject> _documents = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> _byParent = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> _byType = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _siteFiles = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _appSettings = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _accessKeys = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _writeLock = new();

    public int Count => _documents.Count;

    /// <summary>Changes with every Put and Remove, so that views derived from the store know when to rebuild.</summary>
    public long Version => Interlocked.Read(ref _version);

    private long _version;

    public void Put(JsonObject document)
    {
        var id = ArmPath.Normalize((string?)document["id"] ?? throw new ArgumentException("A document needs an id.", nameof(document)));
        var type = (string?)document["type"] ?? "";
        lock (_writeLock)
        {
            RemoveUnlocked(id);
            _documents[id] = document;
            Bucket(_byParent, ArmPath.Parent(id))[id] = document;
            Bucket(_byType, type)[id] = document;
            Interlocked.Increment(ref _version);
        }
    }

    public bool Remove(string id)
    {
        lock (_writeLock)
        {
            var removed = RemoveUnlocked(ArmPath.Normalize(id));
            Interlocked.Increment(ref _version);
            return removed;
        }
    }

    /// <summary>A deep copy, so callers can shape the response without touching the stored document.</summary>
    public JsonObject? Get(string id) =>
        _documents.TryGetValue(ArmPath.Normalize(id), out var document) ? (JsonObject)document.DeepClone() : null;

    public bool Exists(string id) => _documents.ContainsKey(ArmPath.Normalize(id));

    /// <summary>Documents whose id minus its last segment equals <paramref name="collectionPath"/>, ordered by id.</summary>
    public IReadOnlyList<JsonObject> ListCollection(string collectionPath) =>
        _byParent.TryGetValue(ArmPath.Normalize(collectionPath), out var bucket) ? Sorted(bucket) : [];

    /// <summary>Documents of one type whose id starts with <paramref name="idPrefix"/>, ordered by id.</summary>
    public IReadOnlyList<JsonObject> ListOfTypeUnder(string idPrefix, string resourceType) =>
        _byType.TryGetValue(resourceType, out var bucket)
            ? Sorted(bucket.Where(pair => pair.Key.StartsWith(idPrefix, StringComparison.OrdinalIgnoreCase)))
            : [];

    /// <summary>Every document of one resource type (e.g. role assignments for RBAC evaluation); not cloned.</summary>
    public IEnumerable<JsonObject> OfType(string resourceType) =>
        _byType.TryGetValue(resourceType, out var bucket) ? bucket.Values : [];

    /// <summary>Every document; not cloned.</summary>
    public IEnumerable<JsonObject> All() => _documents.Values;

    /// <summary>The resource types that have documents (Resource Graph scans only the types its table holds).</summary>
    public IEnumerable<string> Types => _byType.Keys;

    /// <summary>Files of a Standard app's wwwroot (connections.json), keyed by site id and file name, kept as their exact text.</summary>
    public void PutSiteFile(string siteId, string fileName, JsonObject content) =>
        PutSiteFileText(siteId, fileName, content.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    public void PutSiteFileText(string siteId, string fileName, string text) =>
        _siteFiles[ArmPath.Normalize(siteId) + "|" + fileName] = text;

    public string? GetSiteFileText(string siteId, string fileName) =>
        _siteFiles.TryGetValue(ArmPath.Normalize(siteId) + "|" + fileName, out var text) ? text : null;

    /// <summary>The relative paths of a site's wwwroot files, in ordinal order.</summary>
    public IReadOnlyList<string> SiteFileNames(string siteId)
    {
        var prefix = ArmPath.Normalize(siteId) + "|";
        return _siteFiles.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => k[prefix.Length..]).Order(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>A Standard app's app settings (what <c>config/appsettings/list</c> returns), by site id.</summary>
    public void PutAppSettings(string siteId, IReadOnlyDictionary<string, string> settings) =>
        _appSettings[ArmPath.Normalize(siteId)] = new Dictionary<string, string>(settings, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string>? GetAppSettings(string siteId) =>
        _appSettings.TryGetValue(ArmPath.Normalize(siteId), out var settings) ? settings : null;

    /// <summary>The keys a listKeys action returns, by the id of the resource it is posted to (never part of its document).</summary>
    public void PutAccessKeys(string resourceId, IReadOnlyDictionary<string, string> keys) =>
        _accessKeys[ArmPath.Normalize(resourceId)] = new Dictionary<string, string>(keys, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string>? GetAccessKeys(string resourceId) =>
        _accessKeys.TryGetValue(ArmPath.Normalize(resourceId), out var keys) ? keys : null;

    /// <summary>The file parsed as a JSON object; null when absent or not a JSON object.</summary>
    public JsonObject? GetSiteFile(string siteId, string fileName)
    {
        try
        {
            return GetSiteFileText(siteId, fileName) is { } text ? JsonNode.Parse(text) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private bool RemoveUnlocked(string id)
    {
        if (!_documents.TryRemove(id, out var old))
        {
            return false;
        }

        if (_byParent.TryGetValue(ArmPath.Parent(id), out var siblings))
        {
            siblings.TryRemove(id, out _);
        }

        if (_byType.TryGetValue((string?)old["type"] ?? "", out var sameType))
        {
            sameType.TryRemove(id, out _);
        }

        return true;
    }

    private static ConcurrentDictionary<string, JsonObject> Bucket(ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> index, string key) =>
        index.GetOrAdd(key, _ => new ConcurrentDictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase));

    private static List<JsonObject> Sorted(IEnumerable<KeyValuePair<string, JsonObject>> documents) =>
        documents.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase).Select(pair => (JsonObject)pair.Value.DeepClone()).ToList();
}
