using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Arm;

/// <summary>
/// Every ARM resource (resource groups, role assignments and provider resources) as its full JSON
/// document, indexed case-insensitively by id. Lists are computed by filtering documents, so a PUT
/// later only has to replace a document.
/// </summary>
public sealed class ResourceStore
{
    private readonly ConcurrentDictionary<string, JsonObject> _documents = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, JsonObject> _siteFiles = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _documents.Count;

    public void Put(JsonObject document)
    {
        var id = (string?)document["id"] ?? throw new ArgumentException("A document needs an id.", nameof(document));
        _documents[ArmPath.Normalize(id)] = document;
    }

    public bool Remove(string id) => _documents.TryRemove(ArmPath.Normalize(id), out _);

    /// <summary>A deep copy, so callers can shape the response without touching the stored document.</summary>
    public JsonObject? Get(string id) =>
        _documents.TryGetValue(ArmPath.Normalize(id), out var document) ? (JsonObject)document.DeepClone() : null;

    public bool Exists(string id) => _documents.ContainsKey(ArmPath.Normalize(id));

    /// <summary>Documents whose id minus its last segment equals <paramref name="collectionPath"/>, ordered by id.</summary>
    public IReadOnlyList<JsonObject> ListCollection(string collectionPath)
    {
        var normalized = ArmPath.Normalize(collectionPath);
        return _documents
            .Where(pair => string.Equals(ArmPath.Parent(pair.Key), normalized, StringComparison.OrdinalIgnoreCase))
            .OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
            .Select(pair => (JsonObject)pair.Value.DeepClone())
            .ToList();
    }

    /// <summary>Documents of one type whose id starts with <paramref name="idPrefix"/>, ordered by id.</summary>
    public IReadOnlyList<JsonObject> ListOfTypeUnder(string idPrefix, string resourceType) =>
        _documents
            .Where(pair => pair.Key.StartsWith(idPrefix, StringComparison.OrdinalIgnoreCase))
            .Where(pair => string.Equals((string?)pair.Value["type"], resourceType, StringComparison.OrdinalIgnoreCase))
            .OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
            .Select(pair => (JsonObject)pair.Value.DeepClone())
            .ToList();

    /// <summary>Every document of one resource type (e.g. role assignments for RBAC evaluation); not cloned.</summary>
    public IEnumerable<JsonObject> OfType(string resourceType) =>
        _documents.Values.Where(d => string.Equals((string?)d["type"], resourceType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Files of a Standard app's wwwroot (connections.json), keyed by site id and file name.</summary>
    public void PutSiteFile(string siteId, string fileName, JsonObject content) =>
        _siteFiles[ArmPath.Normalize(siteId) + "|" + fileName] = content;

    public JsonObject? GetSiteFile(string siteId, string fileName) =>
        _siteFiles.TryGetValue(ArmPath.Normalize(siteId) + "|" + fileName, out var content) ? (JsonObject)content.DeepClone() : null;
}
