using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// A scalar expression of the supported KQL subset. Values at run time are <c>null</c>, string,
/// long, double, bool, or a <see cref="JsonNode"/> (a dynamic object or array).
/// </summary>
public abstract class KqlExpression
{
    public abstract object? Evaluate(KqlRow row);

    /// <summary>The column name KQL gives this expression in project/extend without an explicit name.</summary>
    public virtual string? ImplicitName => null;
}

public sealed class KqlLiteral(object? value) : KqlExpression
{
    public object? Value { get; } = value;

    public override object? Evaluate(KqlRow row) => Value;
}

public sealed class KqlColumn(string name) : KqlExpression
{
    public string Name { get; } = name;

    public override object? Evaluate(KqlRow row) => row.Get(Name);

    public override string ImplicitName => Name;
}

/// <summary><c>target.name</c> or <c>target['name']</c> on a dynamic value.</summary>
public sealed class KqlMember(KqlExpression target, string name) : KqlExpression
{
    public override object? Evaluate(KqlRow row) =>
        target.Evaluate(row) is JsonObject obj && obj.TryGetPropertyValue(name, out var value) ? KqlValues.FromJson(value) : null;

    public override string? ImplicitName => target.ImplicitName is { } parent ? parent + "_" + name : null;
}

/// <summary><c>target[i]</c> on a dynamic array (negative indexes count from the end, as in KQL).</summary>
public sealed class KqlIndex(KqlExpression target, int index) : KqlExpression
{
    public override object? Evaluate(KqlRow row)
    {
        if (target.Evaluate(row) is not JsonArray array)
        {
            return null;
        }

        var i = index < 0 ? array.Count + index : index;
        return i >= 0 && i < array.Count ? KqlValues.FromJson(array[i]) : null;
    }

    public override string? ImplicitName => target.ImplicitName is { } parent ? $"{parent}_{index}" : null;
}

public sealed class KqlNot(KqlExpression operand) : KqlExpression
{
    public override object? Evaluate(KqlRow row) => operand.Evaluate(row) is bool b ? !b : null;
}

public sealed class KqlLogical(bool isAnd, KqlExpression left, KqlExpression right) : KqlExpression
{
    public override object? Evaluate(KqlRow row)
    {
        var l = left.Evaluate(row) is true;
        if (isAnd ? !l : l)
        {
            return l;
        }

        return right.Evaluate(row) is true;
    }
}

/// <summary>A comparison or string operator: ==, !=, =~, !~, &lt;, &gt;, has, contains, startswith... and their negations.</summary>
public sealed class KqlComparison(string op, KqlExpression left, KqlExpression right) : KqlExpression
{
    public static readonly HashSet<string> StringOperators =
    [
        "has", "has_cs", "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
        "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
    ];

    public static readonly HashSet<string> Symbols = ["==", "!=", "<>", "=~", "!~", "<", "<=", ">", ">="];

    public static bool IsOperator(KqlToken token) =>
        token.Kind == KqlTokenKind.Symbol && (Symbols.Contains(token.Text) || (token.Text.StartsWith('!') && StringOperators.Contains(token.Text[1..])))
        || token.Kind == KqlTokenKind.Identifier && StringOperators.Contains(token.Text);

    public override object? Evaluate(KqlRow row)
    {
        var l = left.Evaluate(row);
        var r = right.Evaluate(row);
        switch (op)
        {
            case "==":
                return KqlValues.AreEqual(l, r, ignoreCase: false);
            case "!=":
            case "<>":
                return !KqlValues.AreEqual(l, r, ignoreCase: false);
            case "=~":
                return KqlValues.AreEqual(l, r, ignoreCase: true);
            case "!~":
                return !KqlValues.AreEqual(l, r, ignoreCase: true);
            case "<":
                return KqlValues.Compare(l, r) < 0 && l is not null && r is not null;
            case "<=":
                return KqlValues.Compare(l, r) <= 0 && l is not null && r is not null;
            case ">":
                return KqlValues.Compare(l, r) > 0 && l is not null && r is not null;
            case ">=":
                return KqlValues.Compare(l, r) >= 0 && l is not null && r is not null;
        }

        var negated = op.StartsWith('!');
        var name = negated ? op[1..] : op;
        var caseSensitive = name.EndsWith("_cs", StringComparison.Ordinal);
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var text = KqlValues.ToText(l);
        var needle = KqlValues.ToText(r);
        var result = (caseSensitive ? name[..^3] : name) switch
        {
            "has" => KqlValues.HasTerm(text, needle, comparison),
            "hasprefix" => KqlValues.HasTermPrefix(text, needle, comparison),
            "hassuffix" => KqlValues.HasTermSuffix(text, needle, comparison),
            "contains" => text.Contains(needle, comparison),
            "startswith" => text.StartsWith(needle, comparison),
            "endswith" => text.EndsWith(needle, comparison),
            _ => throw new InvalidOperationException(op),
        };
        return negated ? !result : result;
    }
}

/// <summary><c>x in (..)</c>, <c>in~</c>, <c>!in</c>, <c>!in~</c>, <c>has_any (..)</c>.</summary>
public sealed class KqlIn(string op, KqlExpression left, IReadOnlyList<KqlExpression> values) : KqlExpression
{
    public override object? Evaluate(KqlRow row)
    {
        var l = left.Evaluate(row);
        if (op == "has_any")
        {
            var text = KqlValues.ToText(l);
            return Expand(row).Any(v => KqlValues.HasTerm(text, KqlValues.ToText(v), StringComparison.OrdinalIgnoreCase));
        }

        var ignoreCase = op.EndsWith('~');
        var found = Expand(row).Any(v => KqlValues.AreEqual(l, v, ignoreCase));
        return op.StartsWith('!') ? !found : found;
    }

    /// <summary>List elements; a dynamic array element contributes its items.</summary>
    private IEnumerable<object?> Expand(KqlRow row)
    {
        foreach (var value in values)
        {
            var v = value.Evaluate(row);
            if (v is JsonArray array)
            {
                foreach (var item in array)
                {
                    yield return KqlValues.FromJson(item);
                }
            }
            else
            {
                yield return v;
            }
        }
    }
}

/// <summary>The scalar functions the sandbox implements.</summary>
public sealed class KqlCall(string name, IReadOnlyList<KqlExpression> args) : KqlExpression
{
    public static readonly Dictionary<string, (int Min, int Max)> Functions = new(StringComparer.Ordinal)
    {
        ["tostring"] = (1, 1),
        ["tolower"] = (1, 1),
        ["toupper"] = (1, 1),
        ["isempty"] = (1, 1),
        ["isnotempty"] = (1, 1),
        ["isnull"] = (1, 1),
        ["isnotnull"] = (1, 1),
        ["strlen"] = (1, 1),
        ["tolong"] = (1, 1),
        ["toint"] = (1, 1),
        ["array_length"] = (1, 1),
        ["iff"] = (3, 3),
        ["iif"] = (3, 3),
        ["coalesce"] = (2, 64),
    };

    public override object? Evaluate(KqlRow row)
    {
        object? Arg(int i) => args[i].Evaluate(row);
        switch (name)
        {
            case "tostring": return KqlValues.ToText(Arg(0));
            case "tolower": return KqlValues.ToText(Arg(0)).ToLowerInvariant();
            case "toupper": return KqlValues.ToText(Arg(0)).ToUpperInvariant();
            case "isempty": return Arg(0) is null or "";
            case "isnotempty": return Arg(0) is not (null or "");
            case "isnull": return Arg(0) is null;
            case "isnotnull": return Arg(0) is not null;
            case "strlen": return (long)KqlValues.ToText(Arg(0)).Length;
            case "tolong":
            case "toint":
                return Arg(0) switch
                {
                    long l => l,
                    double d => (long)d,
                    bool b => b ? 1L : 0L,
                    var v => long.TryParse(KqlValues.ToText(v), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null,
                };
            case "array_length": return Arg(0) is JsonArray a ? (long)a.Count : null;
            case "iff":
            case "iif":
                return Arg(0) is true ? Arg(1) : Arg(2);
            case "coalesce":
                return args.Select(a => a.Evaluate(row)).FirstOrDefault(v => v is not (null or ""));
            default:
                throw new InvalidOperationException(name);
        }
    }

    public override string? ImplicitName => args.Count == 1 ? args[0].ImplicitName : null;
}

/// <summary>Conversions and comparisons with KQL's rules.</summary>
public static class KqlValues
{
    public static object? FromJson(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node;
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.String: return value.GetValue<string>();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number:
                return value.TryGetValue<long>(out var l) ? l
                    : value.TryGetValue<int>(out var i) ? (long)i
                    : value.TryGetValue<double>(out var d) ? d
                    : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
            default: return null;
        }
    }

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        JsonNode n => n.DeepClone(),
        _ => JsonValue.Create(value.ToString()),
    };

    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: writer.WriteNumberValue(d); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case JsonNode n: n.WriteTo(writer); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }

    /// <summary>tostring(): null is "", dynamic objects and arrays are their JSON text.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        JsonNode n => n.ToJsonString(),
        _ => value.ToString() ?? "",
    };

    public static bool AreEqual(object? left, object? right, bool ignoreCase)
    {
        if (IsNumber(left) && IsNumber(right))
        {
            return Convert.ToDouble(left, CultureInfo.InvariantCulture) == Convert.ToDouble(right, CultureInfo.InvariantCulture);
        }

        if (left is bool lb && right is bool rb)
        {
            return lb == rb;
        }

        return string.Equals(ToText(left), ToText(right), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>Ordering for order by: null (and empty) lowest, numbers numerically, text ordinally.</summary>
    public static int Compare(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return (left is null ? 0 : 1) - (right is null ? 0 : 1);
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture));
        }

        if (left is bool lb && right is bool rb)
        {
            return lb.CompareTo(rb);
        }

        return string.CompareOrdinal(ToText(left), ToText(right));
    }

    private static bool IsNumber(object? value) => value is long or double;

    /// <summary>
    /// KQL <c>has</c>: the needle occurs as whole terms, i.e. not preceded or followed by another
    /// alphanumeric character where the needle itself starts or ends with one.
    /// </summary>
    public static bool HasTerm(string text, string needle, StringComparison comparison) =>
        FindTerm(text, needle, comparison, checkStart: true, checkEnd: true);

    public static bool HasTermPrefix(string text, string needle, StringComparison comparison) =>
        FindTerm(text, needle, comparison, checkStart: true, checkEnd: false);

    public static bool HasTermSuffix(string text, string needle, StringComparison comparison) =>
        FindTerm(text, needle, comparison, checkStart: false, checkEnd: true);

    private static bool FindTerm(string text, string needle, StringComparison comparison, bool checkStart, bool checkEnd)
    {
        if (needle.Length == 0)
        {
            return true;
        }

        for (var at = text.IndexOf(needle, comparison); at >= 0; at = text.IndexOf(needle, at + 1, comparison))
        {
            var end = at + needle.Length;
            var startOk = !checkStart || !char.IsLetterOrDigit(needle[0]) || at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var endOk = !checkEnd || !char.IsLetterOrDigit(needle[^1]) || end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startOk && endOk)
            {
                return true;
            }

            if (at + 1 >= text.Length)
            {
                break;
            }
        }

        return false;
    }
}
