using System.Text;
using DmpActors.Domain.Events;

namespace DmpActors.Domain.Tests.Events;

public class EventTypesTests
{
    [Fact]
    public void Every_type_round_trips_through_its_wire_name_as_string_and_utf8()
    {
        Assert.Equal(12, EventTypes.All.Count);
        foreach (var t in EventTypes.All)
        {
            var wire = EventTypes.ToWire(t);
            Assert.True(EventTypes.TryParse(wire, out var fromString));
            Assert.True(EventTypes.TryParse(Encoding.UTF8.GetBytes(wire), out var fromUtf8));
            Assert.Equal(t, fromString);
            Assert.Equal(t, fromUtf8);
        }
    }

    [Fact]
    public void Wire_names_are_the_documented_snake_case_names()
    {
        Assert.Equal(
            ["page_view", "product_view", "search", "add_to_cart", "remove_from_cart", "purchase", "identify", "alias", "consent", "offer_impression", "offer_click", "custom"],
            EventTypes.All.Select(EventTypes.ToWire));
    }

    [Theory]
    [InlineData("Page_View")]
    [InlineData("pageview")]
    [InlineData("")]
    public void Parsing_is_exact_and_case_sensitive(string s)
    {
        Assert.False(EventTypes.TryParse(s, out _));
        Assert.False(EventTypes.TryParse(Encoding.UTF8.GetBytes(s), out _));
    }
}
