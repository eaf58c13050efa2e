using System;
using System.Globalization;
using System.Text.Json;

namespace LogicAppAuth.Engine.Arm;

/// <summary>Tolerant readers for Azure documents, whose optional members may be absent, null or of another kind.</summary>
internal static class Json
{
    public static JsonElement? Path(JsonElement element, params string[] names)
    {
        var current = element;
        foreach (var name in names)
        {
            if (current.ValueKind != JsonValueKind.Object || !TryGetIgnoreCase(current, name, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static string String(JsonElement element, params string[] names)
    {
        var value = Path(element, names);
        if (value == null)
        {
            return "";
        }

        switch (value.Value.ValueKind)
        {
            case JsonValueKind.String: return value.Value.GetString() ?? "";
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False: return value.Value.GetRawText();
            default: return "";
        }
    }

    /// <summary>The items of an ARM list page's <c>value</c> array (none when it has none).</summary>
    public static System.Collections.Generic.IEnumerable<JsonElement> Items(JsonElement page)
    {
        if (Path(page, "value") is JsonElement items && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                yield return item;
            }
        }
    }

    public static DateTimeOffset? Date(JsonElement element, params string[] names)
    {
        var text = String(element, names);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : (DateTimeOffset?)null;
    }

    /// <summary>ARM property names are case-insensitive in practice (e.g. "Statuses" in some exports).</summary>
    private static bool TryGetIgnoreCase(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
