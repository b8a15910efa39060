using System.Globalization;
using System.Text;

namespace DmpActors.Domain.Segments;

internal enum TokenKind { Ident, Number, String, Duration, Op, LParen, RParen, LBracket, RBracket, Comma, Dot, End }

internal readonly record struct Token(TokenKind Kind, string Text, int Offset, object? Value = null);

/// <summary>Splits rule text into tokens. Errors carry the offset of the offending character.</summary>
internal static class RuleLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", i));
                return tokens;
            }

            var c = text[i];
            var start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Ident, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(NumberOrDuration(text, ref i));
            }
            else if (c == '"')
            {
                tokens.Add(StringToken(text, ref i));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < text.Length && text[i + 1] == '=';
                var op = two ? text.Substring(i, 2) : c.ToString();
                if (!CompareOps.TryParse(op, out var parsed))
                    throw Error(text, i, c == '=' ? "'=' is not an operator: use '==' to compare" : "'!' is not an operator: use '!=' or 'not'");
                i += op.Length;
                tokens.Add(new Token(TokenKind.Op, op, start, parsed));
            }
            else
            {
                var kind = c switch
                {
                    '(' => TokenKind.LParen,
                    ')' => TokenKind.RParen,
                    '[' => TokenKind.LBracket,
                    ']' => TokenKind.RBracket,
                    ',' => TokenKind.Comma,
                    '.' => TokenKind.Dot,
                    _ => throw Error(text, i, $"unexpected character '{c}'"),
                };
                tokens.Add(new Token(kind, c.ToString(), i++));
            }
        }
    }

    private static Token NumberOrDuration(string text, ref int i)
    {
        var start = i;
        if (text[i] == '-') i++;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        var fraction = i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]);
        if (fraction)
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }

        var numberEnd = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
        var word = text[start..i];
        if (i > numberEnd)
        {
            if (!fraction && text[start] != '-' && i == numberEnd + 1 && Duration.TryParse(word, out var duration))
                return new Token(TokenKind.Duration, duration.ToString(), start, duration);
            throw Error(text, start, $"'{word}' is neither a number nor a duration (durations are whole minutes, hours or days: 90m, 24h, 7d, at most {Duration.MaxDays}d)");
        }

        if (!decimal.TryParse(word, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            throw Error(text, start, $"number '{word}' is out of range");
        return new Token(TokenKind.Number, word, start, number);
    }

    private static Token StringToken(string text, ref int i)
    {
        var start = i++;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length || text[i] is '\n' or '\r') throw Error(text, start, "string is not closed: a '\"' is missing");
            var c = text[i++];
            if (c == '"') return new Token(TokenKind.String, text[start..i], start, value.ToString());
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (i >= text.Length) throw Error(text, start, "string is not closed: a '\"' is missing");
            var e = text[i++];
            switch (e)
            {
                case '"' or '\\': value.Append(e); break;
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'u' when i + 4 <= text.Length && ushort.TryParse(text.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    value.Append((char)code);
                    i += 4;
                    break;
                default: throw Error(text, i - 2, $"unknown escape '\\{e}' in a string (known: \\\" \\\\ \\n \\t \\uXXXX)");
            }
        }
    }

    public static RuleParseException Error(string text, int offset, string message)
    {
        var (line, column) = LineAndColumn(text, offset);
        return new RuleParseException(new RuleError(line, column, message));
    }

    public static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < offset && k < text.Length; k++)
        {
            if (text[k] != '\n') continue;
            line++;
            lineStart = k + 1;
        }

        return (line, offset - lineStart + 1);
    }
}
