using System.Globalization;
using System.Text;

namespace LogicAppAuth.Sandbox.ResourceGraph;

public enum KqlTokenKind
{
    Identifier,
    String,
    Number,
    Symbol,
    End,
}

/// <summary>One token; <see cref="Position"/> is its 0-based character offset in the query.</summary>
public sealed record KqlToken(KqlTokenKind Kind, string Text, int Position, int End)
{
    public bool Is(string symbolOrWord) =>
        Kind is KqlTokenKind.Symbol or KqlTokenKind.Identifier && Text == symbolOrWord;

    public override string ToString() => Kind == KqlTokenKind.End ? "end of query" : $"'{Text}'";
}

/// <summary>A query the sandbox cannot run; answered as ARG's InvalidQuery.</summary>
public sealed class KqlException(string message) : Exception(message);

/// <summary>
/// Splits a KQL query into tokens: identifiers (letters, digits, '_', '$'), string literals
/// ('..', "..", @'..', @".."), numbers, and operators such as ==, =~, !~, !=, &lt;=, in~, !in, !has,
/// !contains_cs. Comments (// to end of line) are skipped.
/// </summary>
public static class KqlLexer
{
    private static readonly string[] TwoCharSymbols = ["==", "=~", "!=", "!~", "<=", ">=", "<>"];

    public static List<KqlToken> Tokenize(string query)
    {
        var tokens = new List<KqlToken>();
        var i = 0;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '/' && i + 1 < query.Length && query[i + 1] == '/')
            {
                while (i < query.Length && query[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            var start = i;
            if (c is '\'' or '"' || (c == '@' && i + 1 < query.Length && query[i + 1] is '\'' or '"'))
            {
                var text = ReadString(query, ref i);
                tokens.Add(new KqlToken(KqlTokenKind.String, text, start, i));
                continue;
            }

            if (char.IsDigit(c))
            {
                while (i < query.Length && (char.IsDigit(query[i]) || query[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new KqlToken(KqlTokenKind.Number, query[start..i], start, i));
                continue;
            }

            if (IsIdentifierStart(c))
            {
                var word = ReadIdentifier(query, ref i);
                if (word == "in" && i < query.Length && query[i] == '~')
                {
                    i++;
                    word = "in~";
                }

                tokens.Add(new KqlToken(KqlTokenKind.Identifier, word, start, i));
                continue;
            }

            // !in, !in~, !has, !contains_cs, !startswith ...: negated word operators.
            if (c == '!' && i + 1 < query.Length && char.IsLetter(query[i + 1]))
            {
                i++;
                var word = ReadIdentifier(query, ref i);
                if (word == "in" && i < query.Length && query[i] == '~')
                {
                    i++;
                    word = "in~";
                }

                tokens.Add(new KqlToken(KqlTokenKind.Symbol, "!" + word, start, i));
                continue;
            }

            if (i + 1 < query.Length && TwoCharSymbols.Contains(query.Substring(i, 2)))
            {
                i += 2;
                tokens.Add(new KqlToken(KqlTokenKind.Symbol, query[start..i], start, i));
                continue;
            }

            if ("|,()[].=<>-+*/%".Contains(c))
            {
                i++;
                tokens.Add(new KqlToken(KqlTokenKind.Symbol, c.ToString(), start, i));
                continue;
            }

            throw new KqlException($"Unexpected character '{c}' at position {start}.");
        }

        tokens.Add(new KqlToken(KqlTokenKind.End, "", query.Length, query.Length));
        return tokens;
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '$';

    private static string ReadIdentifier(string query, ref int i)
    {
        var start = i;
        while (i < query.Length && (char.IsLetterOrDigit(query[i]) || query[i] is '_' or '$'))
        {
            i++;
        }

        return query[start..i];
    }

    private static string ReadString(string query, ref int i)
    {
        var verbatim = query[i] == '@';
        if (verbatim)
        {
            i++;
        }

        var quote = query[i++];
        var text = new StringBuilder();
        while (true)
        {
            if (i >= query.Length)
            {
                throw new KqlException("A string literal is not terminated.");
            }

            var c = query[i++];
            if (c == quote)
            {
                if (verbatim && i < query.Length && query[i] == quote)
                {
                    text.Append(quote);
                    i++;
                    continue;
                }

                return text.ToString();
            }

            if (c == '\\' && !verbatim)
            {
                if (i >= query.Length)
                {
                    throw new KqlException("A string literal is not terminated.");
                }

                var escaped = query[i++];
                text.Append(escaped switch
                {
                    'n' => "\n",
                    't' => "\t",
                    'r' => "\r",
                    _ => escaped.ToString(CultureInfo.InvariantCulture),
                });
                continue;
            }

            text.Append(c);
        }
    }
}
