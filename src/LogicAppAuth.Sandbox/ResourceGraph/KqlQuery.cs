using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>A row of a table before any project: its columns are read on demand from the source.</summary>
public interface IKqlSourceRow
{
    object? Column(string name);

    /// <summary>The columns, in the order the service returns them when the query does not project.</summary>
    IReadOnlyList<string> Columns { get; }
}

/// <summary>A row flowing through the pipeline: the table row plus extended columns, or only projected ones.</summary>
public sealed class KqlRow
{
    public KqlRow(IKqlSourceRow source) => Source = source;

    private KqlRow(IKqlSourceRow? source, Dictionary<string, object?> columns, List<string> order)
    {
        Source = source;
        _columns = columns;
        _order = order;
    }

    /// <summary>The table row; null once a project has replaced the columns.</summary>
    public IKqlSourceRow? Source { get; }

    private readonly Dictionary<string, object?>? _columns;
    private readonly List<string>? _order;

    public object? Get(string name) =>
        _columns is not null && _columns.TryGetValue(name, out var value) ? value : Source?.Column(name);

    public KqlRow Extend(IReadOnlyList<(string Name, object? Value)> values)
    {
        var columns = _columns is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(_columns, StringComparer.Ordinal);
        var order = _order is null ? [] : new List<string>(_order);
        foreach (var (name, value) in values)
        {
            if (!columns.ContainsKey(name))
            {
                order.Add(name);
            }

            columns[name] = value;
        }

        return new KqlRow(Source, columns, order);
    }

    public static KqlRow Projected(IReadOnlyList<(string Name, object? Value)> values)
    {
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (name, value) in values)
        {
            if (!columns.ContainsKey(name))
            {
                order.Add(name);
            }

            columns[name] = value;
        }

        return new KqlRow(null, columns, order);
    }

    /// <summary>The row's columns in output order: the table's (unless projected away), then extended or projected ones.</summary>
    public IEnumerable<(string Name, object? Value)> Cells()
    {
        if (Source is not null)
        {
            foreach (var name in Source.Columns)
            {
                yield return (name, _columns is not null && _columns.TryGetValue(name, out var replaced) ? replaced : Source.Column(name));
            }
        }

        foreach (var name in _order ?? [])
        {
            if (Source is null || !Source.Columns.Contains(name))
            {
                yield return (name, _columns![name]);
            }
        }
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (name, value) in Cells())
        {
            json[name] = KqlValues.ToJson(value);
        }

        return json;
    }

    /// <summary>Writes the row without copying the stored documents it reads from.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in Cells())
        {
            writer.WritePropertyName(name);
            KqlValues.Write(writer, value);
        }

        writer.WriteEndObject();
    }
}

public abstract class KqlOperator
{
    public abstract IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows);
}

public sealed class KqlWhere(KqlExpression predicate) : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) => rows.Where(r => predicate.Evaluate(r) is true);
}

public sealed class KqlExtend(IReadOnlyList<(string Name, KqlExpression Expression)> columns) : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) =>
        rows.Select(r => r.Extend(columns.Select(c => (c.Name, c.Expression.Evaluate(r))).ToList()));
}

public sealed class KqlProject(IReadOnlyList<(string Name, KqlExpression Expression)> columns) : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) =>
        rows.Select(r => KqlRow.Projected(columns.Select(c => (c.Name, c.Expression.Evaluate(r))).ToList()));
}

public sealed class KqlOrder(IReadOnlyList<(KqlExpression Key, bool Descending)> keys) : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows)
    {
        // Evaluate the keys once per row, then sort stably.
        var keyed = rows.Select(r => (Row: r, Keys: keys.Select(k => k.Key.Evaluate(r)).ToArray())).ToList();
        var comparer = Comparer<object?[]>.Create((a, b) =>
        {
            for (var i = 0; i < keys.Count; i++)
            {
                var c = KqlValues.Compare(a[i], b[i]);
                if (c != 0)
                {
                    return keys[i].Descending ? -c : c;
                }
            }

            return 0;
        });
        // Rows that arrive in order (tables are read ordered by id) need no sort.
        var sorted = true;
        for (var i = 1; i < keyed.Count && sorted; i++)
        {
            sorted = comparer.Compare(keyed[i - 1].Keys, keyed[i].Keys) <= 0;
        }

        return sorted ? keyed.Select(k => k.Row) : keyed.OrderBy(k => k.Keys, comparer).Select(k => k.Row);
    }
}

public sealed class KqlTake(long count) : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) => rows.Take((int)Math.Min(count, int.MaxValue));
}

public sealed class KqlCount : KqlOperator
{
    public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) => [KqlRow.Projected([("Count", (object?)(long)rows.Count())])];
}

/// <summary>A parsed query: its table and pipeline.</summary>
public sealed class KqlQuery(string table, IReadOnlyList<KqlOperator> operators)
{
    /// <summary>The table name as the table provider spells it.</summary>
    public string Table { get; } = table;

    public IReadOnlyList<KqlOperator> Operators { get; } = operators;

    public List<KqlRow> Run(IEnumerable<IKqlSourceRow> rows)
    {
        var current = rows.Select(r => new KqlRow(r));
        foreach (var op in Operators)
        {
            current = op.Apply(current);
        }

        return current.ToList();
    }
}
