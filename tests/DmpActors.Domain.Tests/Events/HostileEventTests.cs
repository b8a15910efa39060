using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Tests.Events;

/// <summary>What the parser does with input built to break it: ids that are not text, numbers beyond the
/// documented limits, deep nesting, and timestamps ahead of the clock.</summary>
public class HostileEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string PageView(string userIdJson = "\"u1\"", string timestamp = "2026-11-23T09:59:00Z") =>
        $$"""{"event_id":"e1","type":"page_view","user_id":{{userIdJson}},"timestamp":"{{timestamp}}"}""";

    private static string Event(string type, string properties) =>
        $$"""{"event_id":"e1","type":"{{type}}","user_id":"u1","timestamp":"2026-11-23T09:59:00Z","properties":{{properties}}}""";

    private static Rejection Rejected(byte[] json, RejectReason reason)
    {
        var result = EventParser.Parse(json, Now);
        Assert.False(result.IsValid, $"expected {reason}, got {result}");
        Assert.Equal(reason, result.Rejection.Reason);
        return result.Rejection;
    }

    // ---- invalid_id -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"bad\\ud800id\"")]
    [InlineData("\"bad\\udc00id\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"bad\\u0000id\"")]
    [InlineData("\"bad\\u001bid\"")]
    [InlineData("\"bad\\u007fid\"")]
    [InlineData("\"bad\\u0085id\"")]
    public void A_user_id_with_a_lone_surrogate_or_a_control_character_is_an_invalid_id(string userId)
    {
        var r = Rejected(Utf8(PageView(userId)), RejectReason.InvalidId);
        Assert.Equal("invalid_id", r.Code);
        Assert.StartsWith("user_id", r.Detail);
    }

    public static TheoryData<byte[]> InvalidUtf8 => new()
    {
        new byte[] { 0xED, 0xA0, 0x80 }, // a UTF-16 surrogate encoded as UTF-8 (WTF-8 / CESU-8)
        new byte[] { 0xFF },
        new byte[] { 0xC0, 0xAF },       // overlong '/'
        new byte[] { 0xE2, 0x82 },       // truncated sequence
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Every_id_with_invalid_utf8_bytes_is_an_invalid_id(byte[] bad)
    {
        foreach (var (field, json) in new[]
                 {
                     ("event_id", """{"event_id":"e#","type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:59:00Z"}"""),
                     ("user_id", PageView("\"u#\"")),
                     ("anonymous_id", """{"event_id":"e1","type":"page_view","anonymous_id":"a#","timestamp":"2026-11-23T09:59:00Z"}"""),
                     ("properties.previous_id", Event("alias", """{"previous_id":"p#"}""")),
                 })
        {
            var at = json.IndexOf('#');
            byte[] bytes = [.. Utf8(json[..at]), .. bad, .. Utf8(json[(at + 1)..])];
            var r = Rejected(bytes, RejectReason.InvalidId);
            Assert.StartsWith(field, r.Detail);
        }
    }

    [Fact]
    public void A_parser_that_throws_rejects_only_that_input_as_parse_failed()
    {
        var result = EventParser.Guarded((_, _, _, _) => throw new IndexOutOfRangeException(),
            "{}"u8, EventLimits.Default, DateTimeOffset.UnixEpoch, checkFuture: true);

        Assert.False(result.IsValid);
        Assert.Equal(RejectReason.ParseFailed, result.Rejection.Reason);
        Assert.Equal("parse_failed", result.Rejection.Code);
        Assert.Contains(nameof(IndexOutOfRangeException), result.Rejection.Detail);
    }

    [Fact]
    public void An_id_with_an_escaped_or_raw_surrogate_pair_is_valid()
    {
        Assert.Equal("u\U0001F600", EventParser.Parse(Utf8(PageView("\"u\\ud83d\\ude00\"")), Now).Event?.UserId);
        Assert.Equal("u\U0001F600", EventParser.Parse(Utf8(PageView("\"u\U0001F600\"")), Now).Event?.UserId);
    }

    [Fact]
    public void A_detail_never_ends_in_half_a_surrogate_pair()
    {
        // The clip keeps 63 characters: here the 63rd is the first half of the emoji.
        var type = new string('a', 62) + "\U0001F600" + "bbb";
        var r = Rejected(Utf8($$"""{"event_id":"e1","type":"{{type}}","user_id":"u1","timestamp":"2026-11-23T09:59:00Z"}"""), RejectReason.UnknownType);
        Assert.DoesNotContain(r.Detail, char.IsSurrogate);
        Assert.EndsWith("a…'", r.Detail);
    }

    [Fact]
    public void Ten_thousand_levels_of_nesting_are_malformed_json()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Rejected(Utf8(PageView().TrimEnd('}') + ",\"context\":{\"x\":" + deep + "}}"), RejectReason.MalformedJson);
        Rejected(Utf8(deep), RejectReason.MalformedJson);
    }

    // ---- out_of_range -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("purchase", """{"order_id":"o","revenue":1e17}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","revenue":1000000000000.01}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","revenue":-1e13}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","revenue":1e400}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","revenue":-1e400}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","revenue":79228162514264337593543950336}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","items":[{"item_id":"a","price":1e13}]}""", "properties.items[0].price")]
    [InlineData("purchase", """{"order_id":"o","items":[{"item_id":"a","quantity":1000001}]}""", "properties.items[0].quantity")]
    [InlineData("purchase", """{"order_id":"o","items":[{"item_id":"a","price":600000000000,"quantity":2}]}""", "properties.revenue")]
    [InlineData("product_view", """{"item_id":"a","price":1e13}""", "properties.price")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":0}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":-1}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":1000001}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":2147483648}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":99999999999999999999999999999999}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":1e400}""", "properties.quantity")]
    public void A_number_beyond_its_documented_limit_is_out_of_range_naming_the_field(string type, string properties, string field)
    {
        var r = Rejected(Utf8(Event(type, properties)), RejectReason.OutOfRange);
        Assert.Equal("out_of_range", r.Code);
        Assert.StartsWith(field, r.Detail);
    }

    [Theory]
    [InlineData("""{"order_id":"o","revenue":1000000000000}""", 1_000_000_000_000)]
    [InlineData("""{"order_id":"o","revenue":-1000000000000}""", -1_000_000_000_000)]
    [InlineData("""{"order_id":"o","revenue":-0}""", 0)]
    [InlineData("""{"order_id":"o","items":[{"item_id":"a","price":1000000,"quantity":1000000}]}""", 1_000_000_000_000)]
    public void Amounts_at_the_limits_are_accepted(string properties, decimal revenue)
    {
        var result = EventParser.Parse(Utf8(Event("purchase", properties)), Now);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(revenue, result.Event.Revenue);
    }

    [Theory]
    [InlineData("1000000", 1_000_000)]
    [InlineData("1", 1)]
    [InlineData("2.0", 2)]
    public void Quantities_from_one_to_a_million_are_accepted(string quantity, int expected)
    {
        var result = EventParser.Parse(Utf8(Event("add_to_cart", $$"""{"item_id":"a","quantity":{{quantity}}}""")), Now);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Event.Quantity);
    }

    // ---- future_timestamp against the record's time ------------------------------------------------------------

    [Fact]
    public void A_record_read_again_days_later_gets_the_verdict_of_its_first_read()
    {
        var recorded = Now.ToUnixTimeMilliseconds();
        var soon = Utf8(PageView(timestamp: "2026-11-23T10:04:00Z"));
        var tooFar = Utf8(PageView(timestamp: "2026-11-23T10:06:00Z"));
        var firstRead = Now.AddSeconds(1);
        var replay = Now.AddDays(3);

        Assert.True(EventParser.ParseRecord(soon, recorded, firstRead).IsValid);
        Assert.True(EventParser.ParseRecord(soon, recorded, replay).IsValid);
        Assert.Equal(RejectReason.FutureTimestamp, EventParser.ParseRecord(tooFar, recorded, firstRead).Rejection.Reason);
        Assert.Equal(RejectReason.FutureTimestamp, EventParser.ParseRecord(tooFar, recorded, replay).Rejection.Reason);
        // Judged by the clock at replay, the same record would now be accepted: applied after being dead-lettered.
        Assert.True(EventParser.Parse(tooFar, replay).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MaxValue)]
    public void A_record_without_a_usable_timestamp_is_judged_by_the_clock(long recordUnixMs)
    {
        var tooFar = Utf8(PageView(timestamp: "2026-11-23T10:06:00Z"));
        Assert.Equal(RejectReason.FutureTimestamp, EventParser.ParseRecord(tooFar, recordUnixMs, Now).Rejection.Reason);
        Assert.True(EventParser.ParseRecord(tooFar, recordUnixMs, Now.AddMinutes(2)).IsValid);
    }

    [Fact]
    public void A_record_stamped_far_ahead_of_the_clock_widens_the_check_by_at_most_the_skew()
    {
        var stampedNextYear = Now.AddYears(1).ToUnixTimeMilliseconds();
        Assert.True(EventParser.ParseRecord(Utf8(PageView(timestamp: "2026-11-23T10:09:00Z")), stampedNextYear, Now).IsValid);
        Assert.Equal(RejectReason.FutureTimestamp,
            EventParser.ParseRecord(Utf8(PageView(timestamp: "2026-11-23T10:11:00Z")), stampedNextYear, Now).Rejection.Reason);
    }

    // ---- the watermark ----------------------------------------------------------------------------------------

    [Fact]
    public void An_event_a_day_ahead_is_rejected_before_it_can_move_the_users_watermark()
    {
        Rejected(Utf8(PageView(timestamp: "2026-11-24T09:59:00Z")), RejectReason.FutureTimestamp);
        Rejected(Utf8(PageView(timestamp: "2026-11-23T11:00:00Z")), RejectReason.FutureTimestamp);
    }

    [Fact]
    public void An_event_at_the_largest_accepted_skew_does_not_make_the_users_on_time_events_too_late()
    {
        Assert.True(EventLimits.Default.MaxFutureSkew < ProfileRules.Default.AllowedLateness);
        var ahead = EventParser.Parse(Utf8(PageView(timestamp: "2026-11-23T10:05:00Z")), Now).Event!;
        var onTime = EventParser.Parse(Utf8(PageView(timestamp: "2026-11-23T10:00:00Z").Replace("\"e1\"", "\"e2\"")), Now).Event!;

        var profile = ProfileReducer.Apply(UserProfile.Empty("u1"), ahead, null).Profile;
        var result = ProfileReducer.Apply(profile, onTime, null);

        Assert.False(result.TooLate);
        Assert.Equal(2, result.Profile.Windows.ValuesFor(TimeSpan.FromHours(1), Now.AddMinutes(5)).CountOf(EventType.PageView));
    }
}
