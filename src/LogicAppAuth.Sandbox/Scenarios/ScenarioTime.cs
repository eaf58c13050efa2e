using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LogicAppAuth.Sandbox.Scenarios;

/// <summary>
/// Places a scenario file's times relative to the sandbox's anchor. A file writes its times as they
/// stand at the moment its <c>timesAsOf</c> property names; on load every date-time in its string
/// values moves by (anchor − timesAsOf), so "expired ten days ago" is ten days before whatever day
/// the sandbox starts. The forms moved: ISO 8601 with or without a zone
/// (<c>2026-11-20T08:12:33.4521873Z</c>), and the two that Entra ID writes into error messages
/// (<c>2026-06-02 06:00:11Z</c>, <c>09/15/2025 12:00:00</c>). Dates without a time (api-versions,
/// schema URLs) are left alone.
/// </summary>
public static partial class ScenarioTime
{
    public const string AsOfProperty = "timesAsOf";

    /// <summary>Moves every date-time inside the string values of <paramref name="node"/>, in place.</summary>
    public static void Shift(JsonNode? node, TimeSpan by)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[name] = Shift(text, by);
                    }
                    else
                    {
                        Shift(child, by);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = Shift(text, by);
                    }
                    else
                    {
                        Shift(array[i], by);
                    }
                }

                break;
        }
    }

    /// <summary>The text with every date-time in it moved by <paramref name="by"/>, each kept in its own form.</summary>
    public static string Shift(string text, TimeSpan by)
    {
        if (by == TimeSpan.Zero || text.Length < 10)
        {
            return text;
        }

        text = IsoTime().Replace(text, m => MoveIso(m, by));
        text = SpacedUtcTime().Replace(text, m => Move(m.Value, "yyyy-MM-dd HH:mm:ss'Z'", by));
        return UsTime().Replace(text, m => Move(m.Value, "MM/dd/yyyy HH:mm:ss", by));
    }

    private static string MoveIso(Match match, TimeSpan by)
    {
        var moment = DateTimeOffset.Parse(match.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) + by;
        var fraction = match.Groups["fraction"].Value;
        var zone = match.Groups["zone"].Value;
        var format = "yyyy-MM-dd'T'HH:mm:ss" + (fraction.Length > 1 ? "." + new string('f', fraction.Length - 1) : "");
        return zone switch
        {
            "Z" => moment.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) + "Z",
            "" => moment.UtcDateTime.ToString(format, CultureInfo.InvariantCulture),
            _ => moment.ToString(format + "zzz", CultureInfo.InvariantCulture),
        };
    }

    private static string Move(string value, string format, TimeSpan by)
    {
        var moment = DateTime.ParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return (moment + by).ToString(format, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?<fraction>\.\d{1,7})?(?<zone>Z|[+-]\d{2}:\d{2})?")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z")]
    private static partial Regex SpacedUtcTime();

    [GeneratedRegex(@"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}\b")]
    private static partial Regex UsTime();
}
