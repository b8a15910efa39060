using System.Globalization;
using System.Text;
using DmpActors.Domain.Events;

namespace DmpActors.Faults.Tests.Support;

/// <summary>
/// A seeded random stream of records as a hostile world produces them: valid events of every type for many users,
/// producer duplicates, identity events linking anonymous ids to users, and every kind of invalid or odd input
/// (extreme numbers, lone surrogates, invalid UTF-8, deep and huge JSON, dates at the ends of the calendar,
/// unknown fields and types). Valid records are keyed by the id they are routed to, as producers do.
/// </summary>
public sealed class MixedStream
{
    private static readonly DateTimeOffset Base = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Categories = ["shoes", "toys", "books", "garden", "ünïcødé", "家電"];

    private readonly Random _random;
    private readonly DateTimeOffset _now;
    private readonly List<(string Key, byte[] Value)> _validSoFar = [];
    private readonly Dictionary<string, List<string>> _groups = new(StringComparer.Ordinal);
    private int _next;

    public MixedStream(int seed, int plainUsers, int identityGroups, DateTimeOffset now)
    {
        _random = new Random(seed);
        _now = now;
        PlainUsers = Enumerable.Range(0, plainUsers).Select(i => $"user-{seed}-{i}").ToList();
        for (var g = 0; g < identityGroups; g++)
            _groups[$"member-{seed}-{g}"] = [.. Enumerable.Range(0, 2).Select(k => $"visitor-{seed}-{g}-{k}")];
    }

    /// <summary>Users that only ever receive their own events (no identity events name them).</summary>
    public IReadOnlyList<string> PlainUsers { get; }

    /// <summary>Survivor → the anonymous ids its identify and alias events fold into it.</summary>
    public IReadOnlyDictionary<string, List<string>> IdentityGroups => _groups;

    /// <summary>Produces <paramref name="count"/> records through the ledger.</summary>
    public void ProduceInto(RecordLedger ledger, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (key, value) = Next();
            ledger.Produce(key, value);
        }
    }

    public (string Key, byte[]? Value) Next()
    {
        var roll = _random.NextDouble();
        if (roll < 0.03 && _validSoFar.Count > 0)
        {
            // A producer retry: the same event (same id) again, at a new offset.
            var (key, value) = _validSoFar[_random.Next(_validSoFar.Count)];
            return (key, value);
        }
        if (roll < 0.65) return Valid(Pick(PlainUsers), userId: true);
        if (roll < 0.78) return IdentityTraffic();
        return Hostile();
    }

    private (string, byte[]?) Valid(string id, bool userId)
    {
        var json = ValidJson(id, userId);
        var bytes = Encoding.UTF8.GetBytes(json);
        if (userId && id.StartsWith("user-", StringComparison.Ordinal)) _validSoFar.Add((id, bytes));
        return (id, bytes);
    }

    private string ValidJson(string id, bool userId)
    {
        var eventId = NextEventId();
        var who = userId ? $"\"user_id\":{Quote(id)}" : $"\"anonymous_id\":{Quote(id)}";
        var ts = Quote(Base.AddMinutes(_random.Next(0, 24 * 60)).AddMilliseconds(_random.Next(1000)).ToString("O", CultureInfo.InvariantCulture));
        var head = $"\"event_id\":\"{eventId}\",{who},\"timestamp\":{ts}";
        var item = $"sku-{_random.Next(40)}";
        var category = Pick(Categories);
        var price = (_random.Next(1, 100_000) / 100m).ToString(CultureInfo.InvariantCulture);
        return _random.Next(9) switch
        {
            0 => $$$"""{{{{head}}},"type":"page_view","properties":{"url":"/p/{{{_random.Next(100)}}}"}}""",
            1 => $$$"""{{{{head}}},"type":"product_view","properties":{"item_id":"{{{item}}}","category":{{{Quote(category)}}},"price":{{{price}}}}}""",
            2 => $$$"""{{{{head}}},"type":"add_to_cart","properties":{"item_id":"{{{item}}}","category":{{{Quote(category)}}},"price":{{{price}}},"quantity":{{{_random.Next(1, 5)}}}}}""",
            3 => $$$"""{{{{head}}},"type":"purchase","properties":{"order_id":"o-{{{eventId}}}","currency":"EUR","items":[{"item_id":"{{{item}}}","category":{{{Quote(category)}}},"price":{{{price}}},"quantity":{{{_random.Next(1, 4)}}}}]}}""",
            4 => $$$"""{{{{head}}},"type":"search","properties":{"query":"red shoes {{{_random.Next(10)}}}"}}""",
            5 => $$$"""{{{{head}}},"type":"consent","properties":{"purposes":{"analytics":{{{Bool()}}},"personalization":{{{Bool()}}},"marketing":{{{Bool()}}}}} }""",
            6 => $$$"""{{{{head}}},"type":"offer_impression","properties":{"campaign_id":"c-{{{_random.Next(3)}}}","variant_id":"B","item_id":"{{{item}}}"}}""",
            7 => $$$"""{{{{head}}},"type":"custom","properties":{"name":"signup","source":"footer","nested":{"deep":[1,2,{"x":null}]} }}""",
            _ => $$$"""{{{{head}}},"type":"remove_from_cart","properties":{"item_id":"{{{item}}}"}}""",
        };
    }

    private (string, byte[]?) IdentityTraffic()
    {
        var (member, visitors) = _groups.ElementAt(_random.Next(_groups.Count));
        var visitor = Pick(visitors);
        var ts = Quote(Base.AddMinutes(_random.Next(0, 24 * 60)).ToString("O", CultureInfo.InvariantCulture));
        return _random.Next(6) switch
        {
            0 => (member, Encoding.UTF8.GetBytes(
                $$$"""{"event_id":"{{{NextEventId()}}}","type":"identify","user_id":{{{Quote(member)}}},"anonymous_id":{{{Quote(visitor)}}},"timestamp":{{{ts}}},"traits":{"plan":"pro","age":{{{_random.Next(18, 90)}}},"email":"a@example.com"}}""")),
            1 => (member, Encoding.UTF8.GetBytes(
                $$$"""{"event_id":"{{{NextEventId()}}}","type":"alias","user_id":{{{Quote(member)}}},"timestamp":{{{ts}}},"properties":{"previous_id":{{{Quote(visitor)}}}}}""")),
            2 => Valid(member, userId: true),
            _ => Valid(visitor, userId: false),
        };
    }

    /// <summary>Invalid or odd records. Some are valid after all (the parser decides, and the fold follows it).</summary>
    private (string, byte[]?) Hostile()
    {
        var key = Pick(PlainUsers);
        var id = NextEventId();
        var edge = $"edge-{_random.Next(8)}";
        byte[] Event(string type, string properties, string who = "", string ts = "\"2026-11-01T12:00:00Z\"") => U(
            $$$"""{"event_id":"{{{id}}}","type":"{{{type}}}",{{{(who == "" ? $"\"user_id\":\"{edge}\"" : who)}}},"timestamp":{{{ts}}},"properties":{{{properties}}}}""");
        string[] numbers = ["1e17", "-1e17", "1e-300", "-1e-300", "1e308", "1e400", "-0.0", "79228162514264337593543950335",
            "79228162514264337593543950336", "123456789012345678901234567890.5", "0.0000000000000000000000000001", "NaN", "0x10"];
        string[] quantities = ["0", "-1", "2147483647", "2147483648", "1.5", "1e3", "true"];
        string[] timestamps = ["\"0001-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+01:00\"", "\"0001-01-01T00:00:00-14:00\"",
            "\"9999-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59-14:00\"", "\"2026-02-29T00:00:00Z\"", "\"2024-02-29T23:59:59.9999999+14:00\"",
            "\"2026-11-01T12:00:00.12345678901234Z\"", "\"2026-11-01T12:00:00\"", "\"2026-11-01\"", "\"+002026-11-01T12:00:00Z\"",
            "1763892000", "\"2026-11-01T25:00:00Z\"", "\"\"", "null"];
        string[] odd = ["\\ud800", "\\udfff", "\\udc00\\ud800", "a\\u0000b", "😀", "\\u202eevil", "\\ufeff", "\\uFFFF", "e\\u0301", "ﷺ"];
        byte[][] rawInvalidUtf8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
        byte[]? bytes = _random.Next(30) switch
        {
            0 => Event("product_view", $$$"""{"item_id":"i1","price":{{{Pick(numbers)}}}}"""),
            1 => Event("purchase", $$$"""{"order_id":"o-{{{id}}}","revenue":{{{Pick(numbers)}}},"currency":"EUR"}"""),
            2 => Event("purchase", $$$"""{"order_id":"o-{{{id}}}","items":[{"item_id":"i","price":{{{Pick(numbers)}}},"quantity":{{{Pick(quantities)}}}}]}"""),
            3 => Event("add_to_cart", $$$"""{"item_id":"i","quantity":{{{Pick(quantities)}}}}"""),
            // Revenue near decimal's limit, twice for the same user: the second cannot be added.
            4 => Event("purchase", $$$"""{"order_id":"o-{{{id}}}","revenue":79228162514264337593543950335,"currency":"EUR"}""", who: "\"user_id\":\"edge-rich\""),
            5 => Event("page_view", "{}", ts: Pick(timestamps)),
            6 => Event("product_view", $$$"""{"item_id":"{{{Pick(odd)}}}","category":"{{{Pick(odd)}}}"}"""),
            7 => Event("page_view", "{}", who: $"\"user_id\":\"u{Pick(odd)}\""),
            8 => Event("page_view", "{}", who: $"\"anonymous_id\":\"{Pick(odd)}\""),
            9 => Event("identify", "{}", who: $"\"user_id\":\"{edge}\",\"traits\":{{\"{Pick(odd)}\":\"{Pick(odd)}\",\"n\":{Pick(numbers)}}}"),
            // A valid event whose url holds bytes that are not UTF-8.
            10 => [.. U("{\"event_id\":\"" + id + "\",\"type\":\"page_view\",\"user_id\":\"" + edge + "\",\"timestamp\":\"2026-11-01T12:00:00Z\",\"properties\":{\"url\":\"/"),
                .. rawInvalidUtf8[_random.Next(rawInvalidUtf8.Length)], .. U("\"}}")],
            11 => Event("custom", $$$"""{"name":"deep","x":{{{Nested(_random.Next(2, 40))}}}}"""),
            12 => Event("custom", $$$"""{"name":"deeper","x":{{{Nested(5000)}}}}"""),
            13 => Event("page_view", $$$"""{"url":"/{{{new string('a', _random.Next(60_000, 70_000))}}}"}"""),
            14 => Event("page_view", $$$"""{"url":"/","pad":"{{{new string('x', 50_000)}}}","unknown_field":{"a":[1,2,3]}}"""),
            15 => Event("custom", $$$"""{"name":"wide","x":[{{{string.Join(",", Enumerable.Range(0, 8_000))}}}]}"""),
            16 => Event(Pick(["Page_View", "click", "", "page_view ", "PAGE_VIEW", "purchase\\u0000"]), "{}"),
            17 => U($$$"""{"event_id":"{{{id}}}","type":{{{Pick(["7", "null", "[]", "{}", "true"])}}},"user_id":"{{{edge}}}","timestamp":"2026-11-01T12:00:00Z"}"""),
            18 => U(Pick(["", " ", "null", "[]", "42", "\"str\"", "{}", "{", "}", "[{\"event_id\":\"e\"}]", "{\"a\":1}{\"b\":2}", "\uFEFF{}", "{\"event_id\":\"x\",}"])),
            19 => U($$$"""{"event_id":"{{{id}}}","event_id":"{{{id}}}b","type":"page_view","user_id":"{{{edge}}}","timestamp":"2026-11-01T12:00:00Z"}"""),
            20 => Event("page_view", "{}", who: $"\"user_id\":\"{new string('u', Pick([255, 256, 257, 10_000]))}\""),
            21 => U($$$"""{"event_id":"{{{new string('e', Pick([127, 128, 129]))}}}{{{id}}}","type":"page_view","user_id":"{{{edge}}}","timestamp":"2026-11-01T12:00:00Z"}"""),
            22 => Event("page_view", "{}", who: Pick(["\"user_id\":\"\"", "\"user_id\":null", "\"user_id\":42", "\"anonymous_id\":\"\"", "\"user_id\":[\"a\"]"])),
            23 => Event("page_view", Pick(["null", "[]", "\"x\"", "1", "{\"url\":{}}"])),
            24 => U($$$"""{"event_id":"{{{id}}}","type":"page_view","user_id":"{{{edge}}}","timestamp":"2026-11-01T12:00:00Z","context":{{{Pick(["\"x\"", "[]", "{\"ip\":\"1.2.3.4\"}", "null"])}}},"surprise":{"field":true},"traits":{{{Pick(["[]", "{}", "\"t\""])}}}}"""),
            25 => Event("consent", Pick(["{\"purposes\":{\"analytics\":\"yes\"}}", "{\"purposes\":[]}", "{\"purposes\":{}}", "{\"purposes\":{\"ads\":false,\"ads\":true}}"])),
            26 => Event("page_view", "{}", ts: $"\"{_now.AddHours(Pick([-48, 30, 24 * 365])):O}\""),
            27 => Event("alias", Pick(["{}", "{\"previous_id\":\"\"}", "{\"previous_id\":7}", $"{{\"previous_id\":\"{edge}\"}}"])),
            28 => null,
            _ => Event("purchase", Pick(["{\"order_id\":\"o\",\"items\":{}}", "{\"order_id\":\"o\",\"items\":[{}]}", "{\"order_id\":\"o\",\"items\":[{\"item_id\":\"i\",\"price\":\"1\"}]}"])),
        };
        // What the parser accepts is routed by its id: key it so, to keep that user's events on one partition.
        return (EventParser.Parse(bytes, _now) is { IsValid: true } parsed ? parsed.Event.EntityId : key, bytes);
    }

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private string NextEventId() => $"e-{_next++}-{_random.Next(1_000_000):x}";

    private string Bool() => _random.Next(4) == 0 ? "false" : "true";

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
