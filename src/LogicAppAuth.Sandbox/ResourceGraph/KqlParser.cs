using System.Globalization;

namespace LogicAppAuth.Sandbox.ResourceGraph;

/// <summary>
/// Parses the KQL subset the sandbox's Resource Graph runs:
/// <code>
/// [table] { | where expr | project [name =] expr, .. | extend name = expr, .. | order by expr [asc|desc], ..
///           | sort by .. | take N | limit N | top N by expr [asc|desc] | count }
/// </code>
/// Column names are checked against the table's schema as the pipeline changes it, so a misspelt
/// column fails like in Azure instead of matching nothing. Anything else is a <see cref="KqlException"/>.
/// </summary>
public sealed class KqlParser
{
    private static readonly HashSet<string> Operators = ["where", "filter", "project", "extend", "order", "sort", "take", "limit", "top", "count"];

    private readonly List<KqlToken> _tokens;
    private int _next;
    private HashSet<string> _columns = new(StringComparer.Ordinal);

    private KqlParser(string query) => _tokens = KqlLexer.Tokenize(query);

    /// <param name="query">The KQL text.</param>
    /// <param name="tables">Table name (matched case-insensitively) to its columns; the first one is the default table.</param>
    public static KqlQuery Parse(string query, IReadOnlyDictionary<string, IReadOnlyList<string>> tables)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new KqlException("The query is empty.");
        }

        return new KqlParser(query).ParseQuery(tables);
    }

    private KqlToken Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private KqlToken Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private bool Accept(string text)
    {
        if (Peek().Is(text))
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(string text)
    {
        if (!Accept(text))
        {
            throw Unexpected($"'{text}'");
        }
    }

    private KqlException Unexpected(string expected) =>
        new($"Expected {expected} but found {Peek()} at position {Peek().Position}.");

    private KqlQuery ParseQuery(IReadOnlyDictionary<string, IReadOnlyList<string>> tables)
    {
        var table = tables.Keys.First();
        var first = Peek();
        var startsWithOperator = first.Kind == KqlTokenKind.Identifier && Operators.Contains(first.Text) && !Peek(1).Is("|") && Peek(1).Kind != KqlTokenKind.End;
        if (first.Kind == KqlTokenKind.Identifier && !startsWithOperator)
        {
            _next++;
            table = tables.Keys.FirstOrDefault(t => t.Equals(first.Text, StringComparison.OrdinalIgnoreCase))
                ?? throw new KqlException($"Failed to resolve table or column expression named '{first.Text}'.");
        }
        else if (!startsWithOperator)
        {
            throw Unexpected("a table name");
        }

        _columns = new HashSet<string>(tables[table], StringComparer.Ordinal);
        var operators = new List<KqlOperator>();
        var needPipe = !startsWithOperator;
        while (Peek().Kind != KqlTokenKind.End)
        {
            if (needPipe)
            {
                Expect("|");
            }

            needPipe = true;
            operators.Add(ParseOperator());
        }

        return new KqlQuery(table, operators);
    }

    private KqlOperator ParseOperator()
    {
        var token = Take();
        if (token.Kind != KqlTokenKind.Identifier)
        {
            throw new KqlException($"Expected a query operator but found {token} at position {token.Position}.");
        }

        var name = token.Text;
        // Operators with a dash (project-away, mv-expand, make-series) are one name in KQL.
        while (Peek().Is("-") && Peek().Position == token.End && Peek(1).Kind == KqlTokenKind.Identifier && Peek(1).Position == Peek().End)
        {
            _next++;
            token = Take();
            name += "-" + token.Text;
        }

        switch (name)
        {
            case "where":
            case "filter":
                return new KqlWhere(ParseExpression());
            case "extend":
            {
                var columns = ParseColumnList(requireNames: true);
                _columns.UnionWith(columns.Select(c => c.Name));
                return new KqlExtend(columns);
            }

            case "project":
            {
                var columns = ParseColumnList(requireNames: false);
                _columns = new HashSet<string>(columns.Select(c => c.Name), StringComparer.Ordinal);
                return new KqlProject(columns);
            }

            case "order":
            case "sort":
                Expect("by");
                return new KqlOrder(ParseSortKeys());
            case "take":
            case "limit":
                return new KqlTake(ParseCount(name));
            case "top":
            {
                var count = ParseCount(name);
                Expect("by");
                var key = ParseExpression();
                var descending = !Accept("asc");
                if (descending)
                {
                    Accept("desc");
                }

                return new TopOperator(new KqlOrder([(key, descending)]), new KqlTake(count));
            }

            case "count":
                _columns = new HashSet<string>(["Count"], StringComparer.Ordinal);
                return new KqlCount();
            default:
                throw new KqlException($"The query operator '{name}' is not supported by the sandbox's Resource Graph.");
        }
    }

    private sealed class TopOperator(KqlOrder order, KqlTake take) : KqlOperator
    {
        public override IEnumerable<KqlRow> Apply(IEnumerable<KqlRow> rows) => take.Apply(order.Apply(rows));
    }

    private long ParseCount(string operatorName)
    {
        var token = Take();
        if (token.Kind != KqlTokenKind.Number || !long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new KqlException($"'{operatorName}' needs a whole number but found {token} at position {token.Position}.");
        }

        return count;
    }

    private List<(KqlExpression, bool)> ParseSortKeys()
    {
        var keys = new List<(KqlExpression, bool)>();
        do
        {
            var key = ParseExpression();
            var descending = true; // KQL sorts descending unless asked otherwise.
            if (Accept("asc"))
            {
                descending = false;
            }
            else
            {
                Accept("desc");
            }

            keys.Add((key, descending));
        }
        while (Accept(","));

        return keys;
    }

    private List<(string Name, KqlExpression Expression)> ParseColumnList(bool requireNames)
    {
        var columns = new List<(string, KqlExpression)>();
        var unnamed = 0;
        do
        {
            string? name = null;
            if (Peek().Kind == KqlTokenKind.Identifier && Peek(1).Is("="))
            {
                name = Take().Text;
                _next++;
            }
            else if (Peek().Is("[") && Peek(1).Kind == KqlTokenKind.String && Peek(2).Is("]") && Peek(3).Is("="))
            {
                name = Peek(1).Text;
                _next += 4;
            }
            else if (requireNames && !(Peek().Kind == KqlTokenKind.Identifier && Peek(1).Is("(")))
            {
                throw Unexpected("'name = expression'");
            }

            var expression = ParseExpression();
            name ??= expression.ImplicitName ?? "Column" + ++unnamed;
            columns.Add((name, expression));
        }
        while (Accept(","));

        return columns;
    }

    private KqlExpression ParseExpression()
    {
        var left = ParseAnd();
        while (Accept("or"))
        {
            left = new KqlLogical(false, left, ParseAnd());
        }

        return left;
    }

    private KqlExpression ParseAnd()
    {
        var left = ParseComparison();
        while (Accept("and"))
        {
            left = new KqlLogical(true, left, ParseComparison());
        }

        return left;
    }

    private KqlExpression ParseComparison()
    {
        var left = ParsePrimary();
        var token = Peek();
        if (KqlComparison.IsOperator(token))
        {
            _next++;
            return new KqlComparison(token.Text, left, ParsePrimary());
        }

        if (token.Text is "in" or "in~" or "!in" or "!in~" or "has_any" && token.Kind is KqlTokenKind.Identifier or KqlTokenKind.Symbol)
        {
            _next++;
            Expect("(");
            var values = new List<KqlExpression>();
            if (!Peek().Is(")"))
            {
                do
                {
                    values.Add(ParsePrimary());
                }
                while (Accept(","));
            }

            Expect(")");
            return new KqlIn(token.Text, left, values);
        }

        if (token.Kind == KqlTokenKind.Symbol && token.Text.StartsWith('!') && token.Text.Length > 1 && char.IsLetter(token.Text[1])
            || token.Kind == KqlTokenKind.Identifier && token.Text is "matches" or "between" or "has_all" or "has_any_cs" or "contains_any")
        {
            throw new KqlException($"The operator '{token.Text}' is not supported by the sandbox's Resource Graph.");
        }

        return left;
    }

    private KqlExpression ParsePrimary()
    {
        var token = Take();
        KqlExpression expression;
        switch (token.Kind)
        {
            case KqlTokenKind.String:
                return new KqlLiteral(token.Text);
            case KqlTokenKind.Number:
                return new KqlLiteral(Number(token.Text));
            case KqlTokenKind.Symbol when token.Text == "-" && Peek().Kind == KqlTokenKind.Number:
                return new KqlLiteral(Number("-" + Take().Text));
            case KqlTokenKind.Symbol when token.Text == "(":
                expression = ParseExpression();
                Expect(")");
                return expression;
            case KqlTokenKind.Symbol when token.Text == "[" && Peek().Kind == KqlTokenKind.String:
                expression = Column(Take());
                Expect("]");
                break;
            case KqlTokenKind.Identifier when token.Text is "true" or "false":
                return new KqlLiteral(token.Text == "true");
            case KqlTokenKind.Identifier when Peek().Is("("):
                expression = Call(token);
                break;
            case KqlTokenKind.Identifier:
                expression = Column(token);
                break;
            default:
                throw new KqlException($"Expected an expression but found {token} at position {token.Position}.");
        }

        return ParsePath(expression);
    }

    private KqlExpression ParsePath(KqlExpression expression)
    {
        while (true)
        {
            if (Peek().Is(".") && Peek(1).Kind == KqlTokenKind.Identifier)
            {
                _next++;
                expression = new KqlMember(expression, Take().Text);
            }
            else if (Peek().Is("[") && Peek(1).Kind == KqlTokenKind.String && Peek(2).Is("]"))
            {
                expression = new KqlMember(expression, Peek(1).Text);
                _next += 3;
            }
            else if (Peek().Is("[") && Peek(2).Is("]") && int.TryParse(Peek(1).Text, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                expression = new KqlIndex(expression, index);
                _next += 3;
            }
            else if (Peek().Is("[") && Peek(1).Is("-") && Peek(3).Is("]") && int.TryParse(Peek(2).Text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnd))
            {
                expression = new KqlIndex(expression, -fromEnd);
                _next += 4;
            }
            else if (Peek().Is("."))
            {
                throw Unexpected("a property name after '.'");
            }
            else
            {
                return expression;
            }
        }
    }

    private KqlExpression Column(KqlToken token)
    {
        if (!_columns.Contains(token.Text))
        {
            throw new KqlException($"Failed to resolve scalar expression named '{token.Text}' at position {token.Position}.");
        }

        return new KqlColumn(token.Text);
    }

    private KqlExpression Call(KqlToken name)
    {
        Expect("(");
        var args = new List<KqlExpression>();
        if (!Peek().Is(")"))
        {
            do
            {
                args.Add(ParseExpression());
            }
            while (Accept(","));
        }

        Expect(")");
        if (name.Text == "not")
        {
            return args.Count == 1 ? new KqlNot(args[0]) : throw new KqlException("not() takes one argument.");
        }

        if (!KqlCall.Functions.TryGetValue(name.Text, out var arity))
        {
            throw new KqlException($"Unknown function: '{name.Text}' at position {name.Position}.");
        }

        if (args.Count < arity.Min || args.Count > arity.Max)
        {
            throw new KqlException($"Function '{name.Text}' got {args.Count} arguments at position {name.Position}.");
        }

        return new KqlCall(name.Text, args);
    }

    private static object Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new KqlException($"'{text}' is not a number.");
}
