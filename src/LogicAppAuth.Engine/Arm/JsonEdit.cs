using System;
using System.Globalization;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Engine.Arm;

/// <summary>
/// Read-modify-write helpers over System.Text.Json.Nodes: documents keep every property and its order, numbers keep
/// their exact text, so a PUT sends back what was read except the one change meant.
/// </summary>
internal static class JsonEdit
{
    private static readonly JsonSerializerOptions Compact = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Indented = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static JsonObject ToObject(JsonDocument document) =>
        JsonNode.Parse(document.RootElement.GetRawText()) as JsonObject ?? new JsonObject();

    public static JsonObject ParseObject(string text) => JsonNode.Parse(text) as JsonObject ?? new JsonObject();

    public static string Serialize(JsonNode node, bool indented = false) => node.ToJsonString(indented ? Indented : Compact);

    /// <summary>A member by name, ignoring case (ARM is case-insensitive about names); null when absent.</summary>
    public static JsonNode? Get(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var name in path)
        {
            if (!(current is JsonObject obj))
            {
                return null;
            }

            current = obj.TryGetPropertyValue(name, out var exact) ? exact : obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        }

        return current;
    }

    public static string String(JsonNode? node, params string[] path) =>
        Get(node, path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    /// <summary>The key actually used in <paramref name="obj"/> for <paramref name="name"/> (ignoring case), or the name itself.</summary>
    public static string KeyOf(JsonObject obj, string name) =>
        obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;

    /// <summary>The child object named <paramref name="name"/>, created (at the end) when absent.</summary>
    public static JsonObject Child(JsonObject parent, string name)
    {
        var key = KeyOf(parent, name);
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    public static void Remove(JsonObject obj, string name)
    {
        var key = KeyOf(obj, name);
        obj.Remove(key);
    }

    /// <summary>What tells that a resource changed since it was read: changedTime (workflows, connections), lastModifiedTimeUtc (sites) or the etag.</summary>
    public static string Fingerprint(JsonNode? document)
    {
        foreach (var path in new[] { new[] { "properties", "changedTime" }, new[] { "properties", "lastModifiedTimeUtc" }, new[] { "etag" } })
        {
            var value = String(document, path);
            if (value.Length > 0)
            {
                return value;
            }
        }

        return "";
    }

    /// <summary>
    /// Whether two fingerprints name the same state: the same text, or the same instant when both are times (a
    /// service may write changedTime with more or fewer digits of the same fraction of a second).
    /// </summary>
    public static bool SameFingerprint(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        const DateTimeStyles Styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        return DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, Styles, out var first)
            && DateTimeOffset.TryParse(b, CultureInfo.InvariantCulture, Styles, out var second)
            && first.UtcTicks == second.UtcTicks;
    }
}
