using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.Graph;

/// <summary>
/// The OData query options the sandbox's directory routes understand: <c>$filter</c> with
/// <c>eq</c>, <c>ne</c>, <c>in (...)</c> and <c>startswith(prop,'x')</c> clauses joined by <c>and</c>/<c>or</c>,
/// <c>$select</c>, <c>$top</c> (1..999), <c>$count</c> and the opaque <c>$skiptoken</c> of next links.
/// </summary>
public sealed class GraphQuery
{
    public const int MaxTop = 999;

    private GraphQuery(IReadOnlyDictionary<string, string> parameters)
    {
        Parameters = parameters;
    }

    /// <summary>Query parameters as sent (decoded), keys case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    public string[]? Select =>
        string.IsNullOrWhiteSpace(Get("$select"))
            ? null
            : Get("$select")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Count => string.Equals(Get("$count"), "true", StringComparison.OrdinalIgnoreCase);

    public static GraphQuery Parse(string? queryString)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = (queryString ?? "").TrimStart('?');
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var key = Uri.UnescapeDataString((equals < 0 ? part : part[..equals]).Replace('+', ' '));
            var value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' '));
            parameters[key] = value;
        }

        return new GraphQuery(parameters);
    }

    /// <summary>The page size to use, or an error message when <c>$top</c> is out of Graph's range.</summary>
    public (int PageSize, string? Error) PageSize(int defaultSize, int? cap)
    {
        var top = Get("$top");
        if (top is null)
        {
            return (defaultSize, null);
        }

        if (!int.TryParse(top, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1 || value > MaxTop)
        {
            return (0, $"Invalid page size specified: '{top}'. Must be between 1 and {MaxTop} inclusive.");
        }

        return (cap is { } c ? Math.Min(c, value) : value, null);
    }

    public int Offset => DecodeSkipToken(Get("$skiptoken"));

    /// <summary>Graph's skip tokens are opaque; the sandbox's carry an offset.</summary>
    public static string EncodeSkipToken(int offset) =>
        "RFNwdAIAAQAAA" + Convert.ToBase64String(Encoding.UTF8.GetBytes("sbx:" + offset.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int DecodeSkipToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith("RFNwdAIAAQAAA", StringComparison.Ordinal))
        {
            return 0;
        }

        try
        {
            var payload = token["RFNwdAIAAQAAA".Length..].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(payload));
            return text.StartsWith("sbx:", StringComparison.Ordinal) && int.TryParse(text[4..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset)
                ? Math.Max(0, offset)
                : 0;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    /// <summary>Builds a predicate from <c>$filter</c>; null when there is none. Throws
    /// <see cref="FormatException"/> with Graph's wording for what it cannot read.</summary>
    public Func<JsonObject, bool>? Filter()
    {
        var filter = Get("$filter");
        return string.IsNullOrWhiteSpace(filter) ? null : FilterParser.Parse(filter);
    }

    private static class FilterParser
    {
        public static Func<JsonObject, bool> Parse(string filter)
        {
            var orParts = SplitOutsideQuotes(filter, " or ");
            var alternatives = orParts.Select(part => SplitOutsideQuotes(part, " and ").Select(Clause).ToList()).ToList();
            return item => alternatives.Any(all => all.All(clause => clause(item)));
        }

        private static Func<JsonObject, bool> Clause(string text)
        {
            var clause = text.Trim();
            while (clause.StartsWith('(') && clause.EndsWith(')') && !clause.Contains(" in ", StringComparison.OrdinalIgnoreCase))
            {
                clause = clause[1..^1].Trim();
            }

            if (SplitOutsideQuotes(clause, " or ").Count > 1 || SplitOutsideQuotes(clause, " and ").Count > 1)
            {
                return Parse(clause);
            }

            if (clause.StartsWith("startswith(", StringComparison.OrdinalIgnoreCase) && clause.EndsWith(')'))
            {
                var args = clause["startswith(".Length..^1].Split(',', 2, StringSplitOptions.TrimEntries);
                if (args.Length == 2 && Literal(args[1]) is string prefix)
                {
                    return item => Value(item, args[0]) is string s && s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
                }
            }

            var inIndex = clause.IndexOf(" in ", StringComparison.OrdinalIgnoreCase);
            if (inIndex > 0)
            {
                var property = clause[..inIndex].Trim();
                var list = clause[(inIndex + 4)..].Trim();
                if (list.StartsWith('(') && list.EndsWith(')'))
                {
                    var values = SplitOutsideQuotes(list[1..^1], ",").Select(v => Literal(v.Trim())).ToList();
                    return item => values.Any(v => EqualsValue(Value(item, property), v));
                }
            }

            var parts = clause.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && (parts[1].Equals("eq", StringComparison.OrdinalIgnoreCase) || parts[1].Equals("ne", StringComparison.OrdinalIgnoreCase)))
            {
                var expected = Literal(parts[2]);
                var negate = parts[1].Equals("ne", StringComparison.OrdinalIgnoreCase);
                var property = parts[0];
                return item => EqualsValue(Value(item, property), expected) != negate;
            }

            throw new FormatException($"Invalid filter clause: The query specified in the URI is not valid. '{text.Trim()}' is not a supported filter.");
        }

        private static object? Literal(string text)
        {
            var t = text.Trim();
            if (t.Length >= 2 && t[0] == '\'' && t[^1] == '\'')
            {
                return t[1..^1].Replace("''", "'");
            }

            if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("false", StringComparison.OrdinalIgnoreCase))
            {
                return bool.Parse(t);
            }

            if (t.Equals("null", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            if (Guid.TryParse(t, out _) || double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return t;
            }

            throw new FormatException($"Invalid filter clause: The query specified in the URI is not valid. Syntax error at '{t}'.");
        }

        private static object? Value(JsonObject item, string property)
        {
            JsonNode? node = item;
            foreach (var segment in property.Trim().Split('/'))
            {
                node = node is JsonObject obj ? obj.FirstOrDefault(p => p.Key.Equals(segment, StringComparison.OrdinalIgnoreCase)).Value : null;
            }

            return node switch
            {
                null => null,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
        }

        private static bool EqualsValue(object? actual, object? expected) => (actual, expected) switch
        {
            (null, null) => true,
            (bool a, bool e) => a == e,
            (string a, string e) => a.Equals(e, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

        private static List<string> SplitOutsideQuotes(string text, string separator)
        {
            var result = new List<string>();
            var inQuotes = false;
            var depth = 0;
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\'')
                {
                    inQuotes = !inQuotes;
                }
                else if (!inQuotes && c == '(')
                {
                    depth++;
                }
                else if (!inQuotes && c == ')')
                {
                    depth--;
                }
                else if (!inQuotes && depth == 0 && string.Compare(text, i, separator, 0, separator.Length, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    result.Add(text[start..i]);
                    i += separator.Length - 1;
                    start = i + 1;
                }
            }

            result.Add(text[start..]);
            return result;
        }
    }
}
