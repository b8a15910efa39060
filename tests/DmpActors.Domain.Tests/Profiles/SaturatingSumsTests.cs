using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Tests.Profiles;

/// <summary>Sums in a profile stop at their type's bounds: no value, parsed or built in code, makes a profile throw.</summary>
public class SaturatingSumsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static UserEvent Purchase(string id, decimal? revenue, params LineItem[] items) => new()
    {
        EventId = id, Type = EventType.Purchase, UserId = "u1", Timestamp = T0, OrderId = "o-" + id, Revenue = revenue, Items = items,
    };

    /// <summary>Cents per window bucket top out at 2^48 - 1.</summary>
    private const decimal MaxBucketRevenue = ((1L << 48) - 1) / 100m;

    [Fact]
    public void A_purchase_of_1e17_built_in_code_is_applied_with_the_window_revenue_saturated()
    {
        var result = ProfileReducer.Apply(UserProfile.Empty("u1"), Purchase("e1", 1e17m), null);

        Assert.Equal(1e17m, result.Profile.TotalRevenue);
        Assert.Equal(MaxBucketRevenue, result.Profile.Windows.ValuesFor(TimeSpan.FromHours(1), T0).Revenue);
    }

    [Fact]
    public void Revenue_summed_past_the_decimal_range_stays_at_its_maximum()
    {
        var once = ProfileReducer.Apply(UserProfile.Empty("u1"), Purchase("e1", decimal.MaxValue), null).Profile;
        var twice = ProfileReducer.Apply(once, Purchase("e2", decimal.MaxValue), null).Profile;
        var refund = ProfileReducer.Apply(UserProfile.Empty("u2"), Purchase("e3", decimal.MinValue), null).Profile;

        Assert.Equal(decimal.MaxValue, twice.TotalRevenue);
        Assert.Equal(decimal.MinValue, ProfileReducer.Apply(refund, Purchase("e4", decimal.MinValue), null).Profile.TotalRevenue);
    }

    [Fact]
    public void Line_items_whose_price_times_quantity_overflows_saturate()
    {
        var e = Purchase("e1", null, new LineItem("a", null, decimal.MaxValue, 3), new LineItem("b", null, decimal.MaxValue, int.MaxValue));

        var profile = ProfileReducer.Apply(UserProfile.Empty("u1"), e, null).Profile;

        Assert.Equal(decimal.MaxValue, profile.TotalRevenue);
        Assert.Equal(MaxBucketRevenue, profile.Windows.ValuesFor(TimeSpan.FromHours(1), T0).Revenue);
    }

    [Fact]
    public void Merging_profiles_whose_sums_would_overflow_saturates_every_sum()
    {
        var full = ProfileReducer.Apply(UserProfile.Empty("u1"), Purchase("e1", decimal.MaxValue), null).Profile with
        {
            Orders = int.MaxValue,
            EventsApplied = long.MaxValue,
            EventCounts = Enumerable.Repeat(long.MaxValue, EventTypes.Count).ToArray(),
        };
        var other = full with { Id = "u2" };

        var merged = ProfileMerge.Merge(full, other);

        Assert.Equal(decimal.MaxValue, merged.TotalRevenue);
        Assert.Equal(int.MaxValue, merged.Orders);
        Assert.Equal(long.MaxValue, merged.EventsApplied);
        Assert.All(EventTypes.All, t => Assert.Equal(long.MaxValue, merged.CountOf(t)));
        var next = ProfileReducer.Apply(merged, Purchase("e9", 1m), null).Profile;
        Assert.Equal(long.MaxValue, next.EventsApplied);
        Assert.Equal(int.MaxValue, next.Orders);
    }

    [Fact]
    public void Unmerging_saturated_sums_saturates_the_difference()
    {
        var before = UserProfile.Empty("u1");
        var merged = UserProfile.Empty("u1") with { TotalRevenue = decimal.MinValue, Orders = int.MinValue, EventsApplied = long.MinValue };
        var current = UserProfile.Empty("u1") with { TotalRevenue = decimal.MaxValue, Orders = int.MaxValue, EventsApplied = long.MaxValue };

        var undone = ProfileMerge.Unmerge(current, merged, before);

        Assert.Equal(decimal.MaxValue, undone.TotalRevenue);
        Assert.Equal(int.MaxValue, undone.Orders);
        Assert.Equal(long.MaxValue, undone.EventsApplied);
    }
}
