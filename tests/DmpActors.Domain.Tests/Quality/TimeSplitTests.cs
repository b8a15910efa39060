using DmpActors.Domain.Import;
using DmpActors.Domain.Quality;

namespace DmpActors.Domain.Tests.Quality;

public sealed class TimeSplitTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static OnlineRetailLine Line(string invoice, string item, int quantity, decimal price, string? customer, DateTime at) =>
        new(invoice, item, null, quantity, at, price, customer, "United Kingdom");

    [Fact]
    public void Orders_keep_sales_of_known_customers_with_positive_quantity_and_price()
    {
        var at = new DateTime(2011, 3, 1, 10, 0, 0);
        var orders = Purchases.FromInvoices([
            [Line("1", "A", 2, 1.5m, "17850", at), Line("1", "B", -1, 2m, "17850", at), Line("1", "A", 1, 1.5m, "17850", at), Line("1", "C", 1, 0m, "17850", at)],
            [Line("C2", "A", -2, 1.5m, "17850", at)],
            [Line("3", "A", 2, 1.5m, null, at)],
            [Line("4", "B", 0, 1m, "12345", at)],
        ], London);

        var order = Assert.Single(orders);
        Assert.Equal("17850", order.Customer);
        Assert.Equal(["A"], order.Items);
        Assert.Equal(4.5m, order.Revenue);
        Assert.Equal(new DateTimeOffset(2011, 3, 1, 10, 0, 0, TimeSpan.Zero), order.At);
    }

    [Fact]
    public void The_cutoff_is_midnight_after_the_last_history_day_in_london_summer_time()
    {
        var lastHistory = new Order("a", new DateTimeOffset(2011, 9, 9, 23, 30, 0, TimeSpan.FromHours(1)), ["x"], 1);
        var firstHoldout = new Order("a", new DateTimeOffset(2011, 9, 10, 0, 10, 0, TimeSpan.FromHours(1)), ["y"], 2);
        var newcomer = new Order("b", new DateTimeOffset(2011, 10, 1, 12, 0, 0, TimeSpan.FromHours(1)), ["z"], 3);
        var afterEnd = new Order("a", new DateTimeOffset(2011, 12, 10, 9, 0, 0, TimeSpan.Zero), ["w"], 4);

        var split = TimeSplit.Of([afterEnd, firstHoldout, newcomer, lastHistory], new DateOnly(2011, 9, 9), new DateOnly(2011, 12, 9), London);

        Assert.Equal(new DateTimeOffset(2011, 9, 9, 23, 0, 0, TimeSpan.Zero), split.Cutoff);
        Assert.Equal(new DateTimeOffset(2011, 12, 10, 0, 0, 0, TimeSpan.Zero), split.End);
        Assert.Equal(91 + 1 / 24.0, split.HoldoutDays, 9); // 91 local days, one of them 25 hours long (end of summer time)
        Assert.Equal(["a"], split.Customers);
        Assert.Equal([lastHistory], split.History["a"]);
        Assert.Equal([firstHoldout], split.HoldoutOf("a"));
        Assert.Empty(split.HoldoutOf("b"));
    }

    [Fact]
    public void A_slice_keeps_the_first_customers_in_ordinal_order_and_only_their_orders()
    {
        var at = new DateTimeOffset(2011, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Order[] orders = [new("c", at, ["x"], 1), new("a", at, ["x"], 1), new("b", at, ["y"], 1)];

        var split = TimeSplit.Of(orders, new DateOnly(2011, 9, 9), new DateOnly(2011, 12, 9), London, slice: 2);

        Assert.Equal(["a", "b"], split.Customers);
        Assert.False(split.History.ContainsKey("c"));
    }
}
