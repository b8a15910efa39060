using System.Text;
using DmpActors.Domain.Events;
using DmpActors.Domain.Tests.Profiles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Events;

public class EventWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 16, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 300)]
    public Property Written_events_parse_back_to_equal_events() =>
        Prop.ForAll(ProfileReducerProperties.AnyEvent(Gen.Choose(0, 1000).Select(i => $"e{i}")).ToArbitrary(), e =>
        {
            var result = EventParser.ParseAccepted(EventWriter.ToUtf8Json(e));
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal(e, result.Event);
        });

    [Fact]
    public void A_parsed_event_survives_write_and_parse_with_its_offset_and_all_fields()
    {
        var json = """
            {"event_id":"e-1006","type":"purchase","user_id":"u-7","anonymous_id":"a","timestamp":"2026-11-23T10:05:00.5-05:30",
             "properties":{"order_id":"o-981","currency":"EUR","revenue":12.50,"ignored":1,"items":[
               {"item_id":"sku-1","category":"shoes","price":59.90,"quantity":2},{"item_id":"sku-9","price":4.50}]},
             "traits":{"ignored":"for purchase"},"context":{"ip":"x"}}
            """;
        var parsed = EventParser.Parse(Encoding.UTF8.GetBytes(json), Now).Event!;
        var again = EventParser.ParseAccepted(EventWriter.ToUtf8Json(parsed)).Event!;

        Assert.Equal(parsed, again);
        Assert.Equal(TimeSpan.FromMinutes(-330), again.Timestamp.Offset);
        Assert.Equal(2, again.Items.Count);
        Assert.Null(again.Traits);
    }

    [Fact]
    public void Events_differing_in_a_collection_are_not_equal()
    {
        var a = Profiles.Events.Identify("e1", 0, ("plan", "pro"));
        Assert.Equal(a, a with { Traits = new Dictionary<string, string?> { ["plan"] = "pro" } });
        Assert.NotEqual(a, a with { Traits = new Dictionary<string, string?> { ["plan"] = null } });
        var p = Profiles.Events.Purchase("e2", "o", 5m);
        Assert.NotEqual(p, p with { Items = [new LineItem("x", null, 5m, 1)] });
        Assert.NotEqual(p, p with { Timestamp = p.Timestamp.ToOffset(TimeSpan.FromHours(1)) });
    }
}
