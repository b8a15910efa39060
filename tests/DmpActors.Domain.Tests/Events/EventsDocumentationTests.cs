using System.Text;
using System.Text.RegularExpressions;
using DmpActors.Domain.Events;

namespace DmpActors.Domain.Tests.Events;

/// <summary>docs/events.md is the producer contract: its examples must stay true.</summary>
public partial class EventsDocumentationTests
{
    /// <summary>Just after the examples' times (the latest is 10:08), as a live collector would see them.</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 10, 0, TimeSpan.Zero);

    private static string ReadDoc()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docs", "events.md"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir.FullName, "docs", "events.md"));
    }

    /// <summary>Each example event in a json block; an event may span lines, a new one starts at {"event_id".</summary>
    private static List<string> Examples()
    {
        var events = new List<string>();
        foreach (Match block in JsonBlock().Matches(ReadDoc()))
        {
            var current = new StringBuilder();
            foreach (var line in block.Groups[1].Value.Split('\n'))
            {
                if (line.StartsWith("{\"event_id\"", StringComparison.Ordinal) && current.Length > 0)
                {
                    events.Add(current.ToString());
                    current.Clear();
                }

                current.Append(line);
            }

            if (current.Length > 0) events.Add(current.ToString());
        }

        return events;
    }

    [Fact]
    public void Every_example_in_the_contract_is_a_valid_event()
    {
        var examples = Examples();
        Assert.True(examples.Count >= 13, $"found only {examples.Count} examples");
        foreach (var json in examples)
        {
            var result = EventParser.Parse(Encoding.UTF8.GetBytes(json), Now);
            Assert.True(result.IsValid, $"{result} for {json}");
        }
    }

    [Fact]
    public void The_examples_cover_every_type()
    {
        var types = Examples().Select(j => EventParser.Parse(Encoding.UTF8.GetBytes(j), Now).Event!.Type).ToHashSet();
        Assert.Equal(EventTypes.All.ToHashSet(), types);
    }

    [Fact]
    public void The_documented_purchase_revenue_is_what_the_parser_computes()
    {
        var purchase = Examples().Select(j => EventParser.Parse(Encoding.UTF8.GetBytes(j), Now).Event!).Single(e => e.Type == EventType.Purchase);
        Assert.Equal(124.30m, purchase.Revenue);
    }

    [Theory]
    [InlineData("[{\"event_id\":\"e1\"}]", "top level must be an object, not an array")]
    [InlineData("{\"event_id\":\"e1\",", "invalid JSON at line 1, byte 16")]
    [InlineData("""{"event_id":"e1","type":"click","user_id":"u"}""", "unknown type 'click'")]
    [InlineData("""{"event_id":"e1","type":"page_view","timestamp":"2026-11-23T10:00:00Z"}""", "user_id or anonymous_id is required")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"","timestamp":"2026-11-23T10:00:00Z"}""", "user_id is empty")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u","timestamp":"2026-11-23T10:00:00"}""", "timestamp '2026-11-23T10:00:00' has no offset (Z or ±hh:mm)")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u","timestamp":"2026-11-25T10:00:00Z"}""", "timestamp is more than 5 min ahead of now")]
    [InlineData("""{"event_id":"e1","type":"product_view","user_id":"u","timestamp":"2026-11-23T10:00:00Z","properties":{"item_id":"a","price":"abc"}}""", "properties.price must be a number")]
    [InlineData("""{"event_id":"e1","type":"purchase","user_id":"u","timestamp":"2026-11-23T10:00:00Z","properties":{"order_id":"o","items":{}}}""", "properties.items must be an array")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u","timestamp":1763892000}""", "timestamp must be an ISO-8601 string")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u","timestamp":"2026-11-23T10:00:00Z","properties":[]}""", "properties must be an object")]
    [InlineData("""{"event_id":"e1","type":"product_view","user_id":"u","timestamp":"2026-11-23T10:00:00Z"}""", "properties.item_id is required")]
    [InlineData("""{"event_id":"e1","type":"purchase","user_id":"u","timestamp":"2026-11-23T10:00:00Z","properties":{"order_id":"o","items":[{}]}}""", "properties.items[0].item_id is required")]
    public void Documented_rejection_details_are_the_real_ones(string json, string detail)
    {
        var result = EventParser.Parse(Encoding.UTF8.GetBytes(json), Now);
        Assert.False(result.IsValid);
        Assert.Equal(detail, result.Rejection.Detail);
        Assert.Contains(detail, ReadDoc());
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
