using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>Shoppers whose entities give the model coordinator samples of distinct behaviours.</summary>
public static class ShopperEvents
{
    /// <summary>Users of three interest groups, each with one to five product views and a purchase on <paramref name="day"/>.</summary>
    public static IEnumerable<string> Day(int users, int day) => Enumerable.Range(0, users).SelectMany(i =>
    {
        var category = new[] { "toys", "shoes", "books" }[i % 3];
        var at = Events.Base.AddDays(day).AddMinutes(i);
        var price = 10 + i;
        var views = Enumerable.Range(0, 1 + i % 5).Select(n => JsonSerializer.Serialize(new
        {
            event_id = $"v-{day}-{i}-{n}", type = "product_view", user_id = $"m{i}", timestamp = at.AddSeconds(n),
            properties = new { item_id = category + "-1", category },
        }));
        return views.Append(
            JsonSerializer.Serialize(new
            {
                event_id = $"p-{day}-{i}", type = "purchase", user_id = $"m{i}", timestamp = at.AddMinutes(1),
                properties = new
                {
                    order_id = $"o-{day}-{i}", revenue = price, currency = "GBP",
                    items = new[] { new { item_id = category + "-1", category, price, quantity = 1 } },
                },
            }));
    });
}
