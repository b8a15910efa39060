using DmpActors.Domain.Events;
using DmpActors.Domain.Import;

namespace DmpActors.Domain.Tests.Import;

public class EventRowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static ParseResult Parse(string[] header, params string[][] rows) =>
        EventParser.Parse(EventRows.ToJson(header, rows), Now);

    [Fact]
    public void Consecutive_rows_of_one_purchase_are_its_line_items()
    {
        string[] header = ["event_id", "type", "user_id", "timestamp", "order_id", "currency", "item_id", "category", "price", "quantity"];
        var result = Parse(header,
            ["o1", "purchase", "u1", "2026-11-20T10:00:00Z", "order-1", "EUR", "sku-1", "shoes", "59.90", "2"],
            ["o1", "purchase", "u1", "2026-11-20T10:00:00Z", "order-1", "EUR", "sku-9", "", "4.50", ""]);

        Assert.True(result.IsValid, result.ToString());
        var e = result.Event!;
        Assert.Equal(("order-1", "EUR", 124.30m), (e.OrderId, e.Currency, e.Revenue ?? e.Items.Sum(i => i.Price * i.Quantity)));
        Assert.Equal([new LineItem("sku-1", "shoes", 59.90m, 2), new LineItem("sku-9", null, 4.50m, 1)], e.Items);
    }

    [Fact]
    public void Trait_columns_are_traits_and_empty_cells_are_left_out()
    {
        string[] header = ["event_id", "type", "user_id", "anonymous_id", "timestamp", "trait.country", "trait.tier"];
        var result = Parse(header, ["i1", "identify", "u1", "", "2026-11-20T10:00:00Z", "GB", ""]);

        Assert.True(result.IsValid, result.ToString());
        Assert.Null(result.Event!.AnonymousId);
        Assert.Equal(new Dictionary<string, string?> { ["country"] = "GB" }, result.Event.Traits);
    }

    [Fact]
    public void Purpose_columns_are_consent_purposes()
    {
        string[] header = ["event_id", "type", "user_id", "timestamp", "purpose.marketing", "purpose.analytics"];
        var result = Parse(header, ["c1", "consent", "u1", "2026-11-20T10:00:00+01:00", "false", "true"]);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(new Dictionary<string, bool> { ["marketing"] = false, ["analytics"] = true }, result.Event!.ConsentPurposes);
    }

    [Fact]
    public void Other_columns_are_properties_and_the_parser_judges_them()
    {
        string[] header = ["event_id", "type", "user_id", "timestamp", "item_id", "price"];

        var view = Parse(header, ["v1", "product_view", "u1", "2026-11-20T10:00:00Z", "sku-1", "12.5"]);
        var bad = Parse(header, ["v2", "product_view", "u1", "2026-11-20T10:00:00Z", "sku-1", "twelve"]);

        Assert.Equal(("sku-1", 12.5m), (view.Event!.ItemId, view.Event.Price));
        Assert.Equal(RejectReason.WrongFieldType, bad.Rejection.Reason);
        Assert.Contains("properties.price", bad.Rejection.Detail);
    }

    [Fact]
    public void A_row_without_a_timestamp_is_rejected_as_the_contract_says()
    {
        var result = Parse(["event_id", "type", "user_id", "timestamp"], ["p1", "page_view", "u1", ""]);

        Assert.Equal(RejectReason.MissingField, result.Rejection.Reason);
    }
}
