using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Events;

/// <summary>The parser is total: any bytes give a valid event or a rejection, and whatever it accepts is within
/// the documented limits and can be applied to a profile.</summary>
public class EventParserProperties
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static Gen<byte[]> Bytes(int max) =>
        from n in Gen.Choose(0, max)
        from bytes in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)
        select bytes;

    /// <summary>Any UTF-16 code units, lone surrogates and control characters included, written as JSON escapes.</summary>
    private static Gen<string> EscapedText =>
        from n in Gen.Choose(0, 12)
        from units in Gen.Frequency(
            (3, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0, 0x1F)), (1, Gen.Choose(0xD800, 0xDFFF)), (1, Gen.Choose(0, 0xFFFF))).ArrayOf(n)
        select "\"" + string.Concat(units.Select(u => u is >= 0x20 and < 0x7F and not '"' and not '\\' ? ((char)u).ToString() : $"\\u{u:x4}")) + "\"";

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1.5", "2.0", "1e400", "-1e400", "1e-400", "99999999999999999999999999999999", "1e12", "-1e12",
        "1000000000000.01", "1000000", "1000001", "2147483647", "2147483648", "-2147483649", "79228162514264337593543950335",
        "0.0000000000000000000000000000001", "123.456789012345678901234567890123", "1E+2", "5e-324",
    ];

    private static readonly string[] Names =
    [
        "url", "item_id", "category", "price", "quantity", "query", "order_id", "items", "revenue", "currency",
        "previous_id", "purposes", "campaign_id", "variant_id", "name", "analytics", "plan", "x",
    ];

    private static Gen<string> Scalar => Gen.OneOf(
        Gen.Elements(Numbers),
        Gen.Elements("true", "false", "null", "\"\"", "\"sku-1\"", "\"shoes\"", "\"2026-11-23T10:00:00Z\""),
        EscapedText);

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency((4, Scalar), (1, ObjectOf(depth - 1)), (1, ArrayOf(depth - 1)));

    private static Gen<string> ArrayOf(int depth) =>
        from n in Gen.Choose(0, 3)
        from values in Value(depth).ArrayOf(n)
        select "[" + string.Join(",", values) + "]";

    private static Gen<string> ObjectOf(int depth) =>
        from n in Gen.Choose(0, 5)
        from names in Gen.Elements(Names).ArrayOf(n)
        from values in Value(depth).ArrayOf(n)
        select "{" + string.Join(",", names.Zip(values, (k, v) => $"\"{k}\":{v}")) + "}";

    private static readonly string[] Timestamps =
    [
        "\"2026-11-23T09:59:00Z\"", "\"2026-11-23T10:04:59Z\"", "\"2026-11-23T10:05:01Z\"", "\"0001-01-01T00:00:00Z\"",
        "\"0001-01-01T00:00:00+01:00\"", "\"9999-12-31T23:59:59Z\"", "\"2026-11-23T10:00:00\"", "\"2020-02-29T12:00:00.1234567-14:00\"",
    ];

    /// <summary>Mostly well-formed envelopes with real types, hostile values in every field; some get a raw byte
    /// spliced in (invalid UTF-8, a WTF-8 surrogate, NUL, a quote).</summary>
    private static Gen<byte[]> Envelope =>
        from index in Gen.Choose(0, 1000)
        from type in Gen.Elements(EventTypes.All.Select(EventTypes.ToWire).Append("click").ToArray())
        from userId in Gen.Frequency((4, Gen.Elements("\"u1\"", "\"u2\"", "\"anon-1\"")), (1, Value(1)))
        from anonymousId in Gen.Frequency((3, Gen.Constant("null")), (1, Value(0)))
        from timestamp in Gen.Frequency((3, Gen.Constant(Timestamps[0])), (2, Gen.Elements(Timestamps)), (1, Value(0)))
        from properties in Gen.Frequency((4, ObjectOf(2)), (1, Value(1)))
        from traits in Gen.Frequency((2, ObjectOf(1)), (1, Value(1)))
        from splice in Gen.Frequency((3, Gen.Constant(Array.Empty<byte>())),
            (1, Gen.Elements(new byte[] { 0xFF }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0 }, new byte[] { 0xC3 }, "\""u8.ToArray())))
        from at in Gen.Choose(0, 10_000)
        select Splice(
            $$"""{"event_id":"e{{index}}","type":"{{type}}","user_id":{{userId}},"anonymous_id":{{anonymousId}},"timestamp":{{timestamp}},"properties":{{properties}},"traits":{{traits}}}""",
            splice, at);

    private static byte[] Splice(string json, byte[] splice, int at)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        if (splice.Length == 0) return bytes;
        var i = at % bytes.Length;
        return [.. bytes.AsSpan(0, i), .. splice, .. bytes.AsSpan(i)];
    }

    private static Gen<byte[][]> Envelopes =>
        from n in Gen.Choose(1, 25)
        from events in Envelope.ArrayOf(n)
        select events;

    private static bool Total(byte[] bytes)
    {
        var parsed = EventParser.Parse(bytes, Now);
        var accepted = EventParser.ParseAccepted(bytes);
        return (parsed.IsValid || !string.IsNullOrEmpty(parsed.Rejection.Detail))
               && (accepted.IsValid || !string.IsNullOrEmpty(accepted.Rejection.Detail));
    }

    [Property(MaxTest = 500)]
    public Property Parse_never_throws_for_arbitrary_bytes() => Prop.ForAll(Bytes(200).ToArbitrary(), Total);

    [Property(MaxTest = 500)]
    public Property Parse_never_throws_for_arbitrary_bytes_inside_an_event() =>
        Prop.ForAll(Bytes(20).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (bytes, field) =>
        {
            var json = Encoding.UTF8.GetBytes(field switch
            {
                0 => """{"event_id":"#","type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:59:00Z"}""",
                1 => """{"event_id":"e1","type":"page_view","user_id":"#","timestamp":"2026-11-23T09:59:00Z"}""",
                2 => """{"event_id":"e1","type":"identify","user_id":"u1","timestamp":"2026-11-23T09:59:00Z","traits":{"#":"#"}}""",
                _ => """{"event_id":"e1","type":"product_view","user_id":"u1","timestamp":"2026-11-23T09:59:00Z","properties":{"item_id":"#","category":"#"}}""",
            });
            var at = Array.IndexOf(json, (byte)'#');
            return Total([.. json.AsSpan(0, at), .. bytes, .. json.AsSpan(at + 1)]);
        });

    [Property(MaxTest = 500)]
    public Property Parse_never_throws_for_arbitrary_strings() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), s => s is null || (Total(Encoding.UTF8.GetBytes(s)) && Total(Encoding.Unicode.GetBytes(s))));

    /// <summary>Whatever the parser accepts respects the documented limits, and a profile folds any sequence of
    /// such events, merges with itself (sums of sums) and unmerges without throwing.</summary>
    [Property(MaxTest = 300)]
    public Property Accepted_events_are_within_the_limits_and_apply_without_throwing() =>
        Prop.ForAll(Envelopes.ToArbitrary(), envelopes =>
        {
            var profile = UserProfile.Empty("u1");
            foreach (var bytes in envelopes)
            {
                var parsed = EventParser.Parse(bytes, Now);
                if (!parsed.IsValid)
                {
                    Assert.False(string.IsNullOrEmpty(parsed.Rejection.Detail));
                    continue;
                }

                var e = parsed.Event;
                Assert.True(e.Timestamp - Now <= EventLimits.Default.MaxFutureSkew);
                Assert.All(new[] { e.EventId, e.UserId, e.AnonymousId, e.PreviousId }, id => Assert.True(id is null || IsCleanText(id), id));
                Assert.All(new[] { e.Revenue, e.Price }, amount => Assert.True(amount is null || Math.Abs(amount.Value) <= EventLimits.MaxAmount));
                Assert.True(e.Quantity is null or >= 1 and <= EventLimits.MaxQuantity);
                Assert.All(e.Items, line => Assert.True(Math.Abs(line.Price) <= EventLimits.MaxAmount && line.Quantity is >= 1 and <= EventLimits.MaxQuantity));
                profile = ProfileReducer.Apply(profile, e, null).Profile;
            }

            var merged = ProfileMerge.Merge(profile, profile with { Id = "u2" });
            ProfileMerge.Unmerge(merged, merged, profile);
            return true;
        });

    private static bool IsCleanText(string s) =>
        !s.Any(char.IsControl) && Encoding.UTF8.GetString(new UTF8Encoding(false, true).GetBytes(s)) == s;
}
