using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DmpActors.Domain.Segments;

/// <summary>
/// The rule tree as JSON (System.Text.Json), for APIs and storage that want structure instead of text. Every node
/// is an object with an <c>op</c>: <c>and</c>/<c>or</c> (<c>left</c>, <c>right</c>), <c>not</c> (<c>operand</c>),
/// a comparison <c>== != &lt; &lt;= &gt; &gt;=</c> (<c>value</c>), <c>in</c> (<c>values</c>), <c>between</c> (<c>low</c>,
/// <c>high</c>), <c>exists</c>, <c>within</c>/<c>older_than</c> (<c>duration</c>: "14d") and <c>is</c> (a boolean
/// field alone). Predicates name their <c>field</c> and, for call forms, its <c>args</c>. A value is a JSON string,
/// number or boolean, or <c>{"duration": "24h"}</c>. Reading then writing gives the same tree.
/// </summary>
public static class RuleJson
{
    public static string Write(RuleExpr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, expr);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">The JSON is not a rule tree; the message names the path of the bad part.</exception>
    public static RuleExpr Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 3 * RuleParser.MaxDepth });
            return Read(doc.RootElement, "$");
        }
        catch (JsonException e)
        {
            throw new FormatException("rule JSON is not valid JSON: " + e.Message, e);
        }
    }

    private static void Write(Utf8JsonWriter w, RuleExpr expr)
    {
        w.WriteStartObject();
        switch (expr)
        {
            case AndExpr or OrExpr:
                var (left, right) = expr is AndExpr a ? (a.Left, a.Right) : (((OrExpr)expr).Left, ((OrExpr)expr).Right);
                w.WriteString("op", expr is AndExpr ? "and" : "or");
                w.WritePropertyName("left");
                Write(w, left);
                w.WritePropertyName("right");
                Write(w, right);
                break;
            case NotExpr n:
                w.WriteString("op", "not");
                w.WritePropertyName("operand");
                Write(w, n.Operand);
                break;
            case CompareExpr c:
                Predicate(w, CompareOps.ToText(c.Op), c.Field);
                w.WritePropertyName("value");
                Write(w, c.Value);
                break;
            case InExpr i:
                Predicate(w, "in", i.Field);
                w.WriteStartArray("values");
                foreach (var v in i.Values) Write(w, v);
                w.WriteEndArray();
                break;
            case BetweenExpr b:
                Predicate(w, "between", b.Field);
                w.WritePropertyName("low");
                Write(w, b.Low);
                w.WritePropertyName("high");
                Write(w, b.High);
                break;
            case ExistsExpr e:
                Predicate(w, "exists", e.Field);
                break;
            case AgeExpr age:
                Predicate(w, age.Within ? "within" : "older_than", age.Field);
                w.WriteString("duration", age.Age.ToString());
                break;
            case TruthExpr t:
                Predicate(w, "is", t.Field);
                break;
            default:
                throw new ArgumentException($"unknown rule node {expr.GetType().Name}", nameof(expr));
        }

        w.WriteEndObject();
    }

    private static void Predicate(Utf8JsonWriter w, string op, FieldRef field)
    {
        w.WriteString("op", op);
        w.WriteString("field", field.Name);
        if (field.Args.Count == 0) return;
        w.WriteStartArray("args");
        foreach (var arg in field.Args) Write(w, arg);
        w.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter w, Literal literal)
    {
        switch (literal)
        {
            case StringLiteral s: w.WriteStringValue(s.Value); break;
            case NumberLiteral n: w.WriteNumberValue(n.Value); break;
            case BoolLiteral b: w.WriteBooleanValue(b.Value); break;
            case DurationLiteral d:
                w.WriteStartObject();
                w.WriteString("duration", d.Value.ToString());
                w.WriteEndObject();
                break;
            default: throw new ArgumentException($"unknown literal {literal.GetType().Name}", nameof(literal));
        }
    }

    private static RuleExpr Read(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, "expected an object with an \"op\"");
        var op = Text(e, "op", path);
        switch (op)
        {
            case "and" or "or":
                var left = Read(Property(e, "left", path), path + ".left");
                var right = Read(Property(e, "right", path), path + ".right");
                return op == "and" ? new AndExpr(left, right) : new OrExpr(left, right);
            case "not":
                return new NotExpr(Read(Property(e, "operand", path), path + ".operand"));
        }

        var field = Field(e, path);
        if (CompareOps.TryParse(op, out var compare)) return new CompareExpr(field, compare, Literal(Property(e, "value", path), path + ".value"));
        switch (op)
        {
            case "in":
                var values = Property(e, "values", path);
                if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0) throw Bad(path + ".values", "expected a non-empty array");
                return new InExpr(field, values.EnumerateArray().Select((v, k) => Literal(v, $"{path}.values[{k}]")).ToArray());
            case "between":
                return new BetweenExpr(field, Literal(Property(e, "low", path), path + ".low"), Literal(Property(e, "high", path), path + ".high"));
            case "exists":
                return new ExistsExpr(field);
            case "within" or "older_than":
                var text = Text(e, "duration", path);
                if (!Duration.TryParse(text, out var duration)) throw Bad(path + ".duration", $"'{text}' is not a duration such as 14d, 24h or 90m");
                return new AgeExpr(field, op == "within", duration);
            case "is":
                return new TruthExpr(field);
            default:
                throw Bad(path + ".op", $"unknown op '{op}'");
        }
    }

    private static FieldRef Field(JsonElement e, string path)
    {
        var name = Text(e, "field", path);
        var segments = name.Split('.');
        var valid = segments.All(s => s.Length > 0) && IsName(segments[0]) && !IsKeyword(segments[0])
                    && segments.Skip(1).All(s => IsName(s) || Duration.TryParse(s, out var d) && d.ToString() == s);
        if (!valid) throw Bad(path + ".field", $"'{name}' is not a field name (dot-separated names such as trait.country)");
        if (!e.TryGetProperty("args", out var args)) return new FieldRef(name);
        if (args.ValueKind != JsonValueKind.Array || args.GetArrayLength() == 0) throw Bad(path + ".args", "expected a non-empty array");
        return new FieldRef(name, args.EnumerateArray().Select((v, k) => Literal(v, $"{path}.args[{k}]")).ToArray());
    }

    private static bool IsName(string s) => (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsKeyword(string s) => RuleParser.IsKeyword(s);

    private static Literal Literal(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.String => new StringLiteral(e.GetString()!),
        JsonValueKind.Number when e.TryGetDecimal(out var n) => new NumberLiteral(n),
        JsonValueKind.True => new BoolLiteral(true),
        JsonValueKind.False => new BoolLiteral(false),
        JsonValueKind.Object when e.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.String
                                  && Duration.TryParse(d.GetString()!, out var duration) => new DurationLiteral(duration),
        _ => throw Bad(path, "expected a string, a number (decimal range), a boolean or {\"duration\": \"7d\"}"),
    };

    private static JsonElement Property(JsonElement e, string name, string path) =>
        e.TryGetProperty(name, out var value) ? value : throw Bad(path, $"missing \"{name}\"");

    private static string Text(JsonElement e, string name, string path)
    {
        var value = Property(e, name, path);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad(path + "." + name, "expected a string");
    }

    private static FormatException Bad(string path, string message) => new($"rule JSON at {path}: {message}");
}
