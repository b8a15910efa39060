using System.Text;
using DmpActors.Domain.Events;

namespace DmpActors.Domain.Tests.Events;

public class EventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static ParseResult Parse(string json, EventLimits? limits = null) => EventParser.Parse(Encoding.UTF8.GetBytes(json), Now, limits);

    private static UserEvent Valid(string json)
    {
        var result = Parse(json);
        Assert.True(result.IsValid, $"expected valid, got {result}");
        return result.Event!;
    }

    private static Rejection Rejected(string json, RejectReason reason, EventLimits? limits = null)
    {
        var result = Parse(json, limits);
        Assert.False(result.IsValid, $"expected {reason}, got a valid event");
        Assert.Equal(reason, result.Rejection.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Detail));
        return result.Rejection;
    }

    /// <summary>An event of the given type with the given properties JSON and otherwise valid envelope.</summary>
    private static string Event(string type, string properties = "{}", string ids = "\"user_id\":\"u1\"", string extra = "") =>
        $$"""{"event_id":"e1","type":"{{type}}",{{ids}},"timestamp":"2026-11-23T09:59:00.123Z","properties":{{properties}}{{extra}}}""";

    // ---- one valid example per type ---------------------------------------------------------------------------

    [Fact]
    public void Page_view_is_parsed_with_envelope_and_url()
    {
        var e = Valid("""
            {"event_id":"evt-1","type":"page_view","user_id":"u1","anonymous_id":"a1",
             "timestamp":"2026-11-23T10:00:00.123+01:00","properties":{"url":"https://shop.example/x","referrer":"ignored"},
             "context":{"ip":"10.0.0.1"}}
            """);
        Assert.Equal("evt-1", e.EventId);
        Assert.Equal(EventType.PageView, e.Type);
        Assert.Equal("u1", e.UserId);
        Assert.Equal("a1", e.AnonymousId);
        Assert.Equal("u1", e.EntityId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.FromHours(1)), e.Timestamp);
        Assert.Equal(TimeSpan.FromHours(1), e.Timestamp.Offset);
        Assert.Equal("https://shop.example/x", e.Url);
        Assert.Empty(e.Items);
    }

    [Fact]
    public void Page_view_without_properties_is_valid_and_routes_to_the_anonymous_id()
    {
        var e = Valid("""{"event_id":"e1","type":"page_view","anonymous_id":"anon-7","timestamp":"2026-11-23T09:00:00Z"}""");
        Assert.Null(e.Url);
        Assert.Null(e.UserId);
        Assert.Equal("anon-7", e.EntityId);
    }

    [Fact]
    public void Product_view_reads_item_category_and_price()
    {
        var e = Valid(Event("product_view", """{"item_id":"sku-1","category":"shoes","price":59.90,"colour":"red"}"""));
        Assert.Equal(EventType.ProductView, e.Type);
        Assert.Equal("sku-1", e.ItemId);
        Assert.Equal("shoes", e.Category);
        Assert.Equal(59.90m, e.Price);
        Assert.Null(e.Quantity);
    }

    [Fact]
    public void Search_reads_the_query()
    {
        var e = Valid(Event("search", """{"query":"red shoes"}"""));
        Assert.Equal(EventType.Search, e.Type);
        Assert.Equal("red shoes", e.Query);
    }

    [Fact]
    public void Add_to_cart_defaults_quantity_to_one()
    {
        var e = Valid(Event("add_to_cart", """{"item_id":"sku-1","price":10}"""));
        Assert.Equal(EventType.AddToCart, e.Type);
        Assert.Equal(1, e.Quantity);
        Assert.Equal(10m, e.Price);
    }

    [Fact]
    public void Remove_from_cart_reads_quantity()
    {
        var e = Valid(Event("remove_from_cart", """{"item_id":"sku-1","category":"shoes","quantity":3}"""));
        Assert.Equal(EventType.RemoveFromCart, e.Type);
        Assert.Equal(3, e.Quantity);
        Assert.Equal("shoes", e.Category);
    }

    [Fact]
    public void Purchase_reads_items_and_defaults_revenue_to_the_sum_of_lines()
    {
        var e = Valid(Event("purchase", """
            {"order_id":"o-1","currency":"EUR","items":[
              {"item_id":"a","category":"shoes","price":10.5,"quantity":2},
              {"item_id":"b","price":4}]}
            """));
        Assert.Equal(EventType.Purchase, e.Type);
        Assert.Equal("o-1", e.OrderId);
        Assert.Equal("EUR", e.Currency);
        Assert.Equal([new LineItem("a", "shoes", 10.5m, 2), new LineItem("b", null, 4m, 1)], e.Items);
        Assert.Equal(25m, e.Revenue);
    }

    [Fact]
    public void Purchase_keeps_an_explicit_revenue()
    {
        var e = Valid(Event("purchase", """{"order_id":"o-1","revenue":99.99,"items":[{"item_id":"a","price":10}]}"""));
        Assert.Equal(99.99m, e.Revenue);
    }

    [Fact]
    public void Identify_keeps_traits_as_strings_and_null_as_removal()
    {
        var e = Valid("""
            {"event_id":"e1","type":"identify","user_id":"u1","anonymous_id":"a1","timestamp":"2026-11-23T09:00:00Z",
             "traits":{"email":"x@example.com","age":42,"score":1.50,"vip":true,"churned":false,"phone":null}}
            """);
        Assert.Equal(EventType.Identify, e.Type);
        var traits = e.Traits!;
        Assert.Equal("x@example.com", traits["email"]);
        Assert.Equal("42", traits["age"]);
        Assert.Equal("1.50", traits["score"]);
        Assert.Equal("true", traits["vip"]);
        Assert.Equal("false", traits["churned"]);
        Assert.True(traits.ContainsKey("phone"));
        Assert.Null(traits["phone"]);
    }

    [Fact]
    public void Identify_traits_are_read_when_type_comes_after_them()
    {
        var e = Valid("""{"traits":{"plan":"pro"},"event_id":"e1","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","type":"identify"}""");
        Assert.Equal("pro", e.Traits!["plan"]);
    }

    [Fact]
    public void Alias_reads_previous_id()
    {
        var e = Valid(Event("alias", """{"previous_id":"anon-1"}"""));
        Assert.Equal(EventType.Alias, e.Type);
        Assert.Equal("anon-1", e.PreviousId);
        Assert.Equal("u1", e.UserId);
    }

    [Fact]
    public void Consent_reads_purposes()
    {
        var e = Valid(Event("consent", """{"purposes":{"analytics":true,"personalization":false,"marketing":true}}"""));
        Assert.Equal(EventType.Consent, e.Type);
        var purposes = e.ConsentPurposes!;
        Assert.Equal(3, purposes.Count);
        Assert.True(purposes["analytics"]);
        Assert.False(purposes["personalization"]);
        Assert.True(purposes["marketing"]);
    }

    [Fact]
    public void Offer_impression_reads_campaign_variant_and_item()
    {
        var e = Valid(Event("offer_impression", """{"campaign_id":"c1","variant_id":"v2","item_id":"sku-9"}"""));
        Assert.Equal(EventType.OfferImpression, e.Type);
        Assert.Equal(("c1", "v2", "sku-9"), (e.CampaignId, e.VariantId, e.ItemId));
    }

    [Fact]
    public void Offer_click_needs_only_the_campaign()
    {
        var e = Valid(Event("offer_click", """{"campaign_id":"c1"}"""));
        Assert.Equal(EventType.OfferClick, e.Type);
        Assert.Equal("c1", e.CampaignId);
        Assert.Null(e.VariantId);
    }

    [Fact]
    public void A_click_on_a_recommended_item_names_its_list()
    {
        var view = Valid(Event("product_view", """{"item_id":"sku-1","recommendation_id":"rec-1"}"""));
        Assert.Equal(("sku-1", "rec-1"), (view.ItemId, view.RecommendationId));
        var click = Valid(Event("offer_click", """{"item_id":"sku-1","recommendation_id":"rec-2"}"""));
        Assert.Equal(("sku-1", "rec-2", null), (click.ItemId, click.RecommendationId, click.CampaignId));
        Assert.Null(Valid(Event("add_to_cart", """{"item_id":"sku-1","recommendation_id":"rec-3"}""")).RecommendationId);
        Assert.Equal(view, EventParser.ParseAccepted(EventWriter.ToUtf8Json(view)).Event);
    }

    [Fact]
    public void Custom_reads_the_name()
    {
        var e = Valid(Event("custom", """{"name":"newsletter_signup","anything":{"nested":[1,2]}}"""));
        Assert.Equal(EventType.Custom, e.Type);
        Assert.Equal("newsletter_signup", e.Name);
    }

    [Fact]
    public void Properties_may_come_before_the_type()
    {
        var e = Valid("""{"properties":{"item_id":"sku-1","price":5},"event_id":"e1","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","type":"product_view"}""");
        Assert.Equal(("sku-1", 5m), (e.ItemId!, e.Price!.Value));
    }

    [Fact]
    public void Fields_of_other_types_are_ignored_even_when_mistyped()
    {
        var e = Valid(Event("page_view", """{"url":"/x","price":"abc","items":7,"item_id":5}"""));
        Assert.Null(e.Price);
        Assert.Null(e.ItemId);
        Assert.Empty(e.Items);
    }

    [Fact]
    public void Unknown_top_level_fields_and_explicit_nulls_for_optional_fields_are_accepted()
    {
        var e = Valid("""{"event_id":"e1","type":"page_view","user_id":null,"anonymous_id":"a1","timestamp":"2026-11-23T09:00:00Z","properties":null,"context":null,"sdk":"js/1.2"}""");
        Assert.Null(e.UserId);
        Assert.Equal("a1", e.EntityId);
    }

    [Fact]
    public void Escaped_names_and_values_are_unescaped()
    {
        var e = Valid("""{"event\u005fid":"e\u00e91","type":"product_view","user_id":"u1","timestamp":"2026-11-23T09:00:00\u005A","properties":{"item\u005fid":"sku\"1"}}""");
        Assert.Equal("eé1", e.EventId);
        Assert.Equal("sku\"1", e.ItemId);
    }

    [Fact]
    public void Ids_at_the_maximum_length_are_accepted()
    {
        var e = Valid(Event("page_view", ids: $"\"user_id\":\"{new string('u', 256)}\"").Replace("\"e1\"", $"\"{new string('e', 128)}\""));
        Assert.Equal(256, e.UserId!.Length);
        Assert.Equal(128, e.EventId.Length);
    }

    [Fact]
    public void Category_and_currency_strings_are_shared_between_events()
    {
        var a = Valid(Event("product_view", """{"item_id":"x","category":"garden-tools"}"""));
        var b = Valid(Event("product_view", """{"item_id":"y","category":"garden-tools"}"""));
        Assert.Same(a.Category, b.Category);
    }

    // ---- malformed_json ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("{\"event_id\":\"e1\",}")]
    [InlineData("{\"event_id\":\"e1\" \"type\":\"page_view\"}")]
    [InlineData("{'event_id':'e1'}")]
    [InlineData("{\"event_id\":\"e1\"} trailing")]
    [InlineData("{\"event_id\":\"e1\"}{}")]
    public void Malformed_json_is_rejected(string json) => Rejected(json, RejectReason.MalformedJson);

    [Fact]
    public void Truncated_json_is_rejected_as_malformed()
    {
        var full = Event("product_view", """{"item_id":"sku-1","price":5}""");
        for (var cut = 1; cut < full.Length - 1; cut++) Rejected(full[..cut], RejectReason.MalformedJson);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"event_id\":\"e1\"}]")]
    [InlineData("42")]
    [InlineData("\"page_view\"")]
    [InlineData("null")]
    [InlineData("true")]
    public void Non_object_top_level_is_rejected_as_malformed(string json)
    {
        var r = Rejected(json, RejectReason.MalformedJson);
        Assert.Equal("malformed_json", r.Code);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_rejected_as_malformed()
    {
        var bytes = Encoding.UTF8.GetBytes(Event("page_view", """{"url":"/x"}""")).ToList();
        var at = bytes.IndexOf((byte)'x');
        bytes[at] = 0xFF;
        var result = EventParser.Parse(bytes.ToArray(), Now);
        Assert.Equal(RejectReason.MalformedJson, result.Rejection.Reason);
    }

    [Theory]
    [InlineData("""{"event_id":"e1","event_id":"e2","type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", "event_id")]
    [InlineData("""{"event_id":"e1","type":"product_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","properties":{"item_id":"a","item_id":"b"}}""", "properties.item_id")]
    [InlineData("""{"event_id":"e1","type":"identify","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","traits":{"plan":"a","plan":"b"}}""", "traits.plan")]
    [InlineData("""{"event_id":"e1","type":"consent","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","properties":{"purposes":{"ads":true,"ads":false}}}""", "properties.purposes.ads")]
    public void Duplicate_keys_are_rejected_as_malformed(string json, string field)
    {
        var r = Rejected(json, RejectReason.MalformedJson);
        Assert.Contains(field, r.Detail);
    }

    [Fact]
    public void Duplicate_keys_in_ignored_objects_are_not_checked()
    {
        Valid(Event("page_view", """{"url":"/x","ref":"a","ref":"b"}""", extra: ""","context":{"ip":"1","ip":"2"}"""));
    }

    // ---- oversize ---------------------------------------------------------------------------------------------

    [Fact]
    public void Payload_over_64_KiB_is_rejected_as_oversize()
    {
        var padding = new string('x', 65536);
        var r = Rejected(Event("page_view", $$"""{"url":"{{padding}}"}"""), RejectReason.Oversize);
        Assert.Equal("oversize", r.Code);
        Assert.True(r.Detail.Length < 100);
    }

    [Fact]
    public void Payload_of_exactly_the_limit_is_accepted()
    {
        var json = Event("page_view", """{"url":""}""");
        var padded = json.Replace("\"url\":\"\"", $"\"url\":\"{new string('x', 65536 - json.Length)}\"");
        Assert.Equal(65536, Encoding.UTF8.GetByteCount(padded));
        Valid(padded);
    }

    [Fact]
    public void The_size_limit_is_configurable()
    {
        Rejected(Event("page_view"), RejectReason.Oversize, EventLimits.Default with { MaxEventBytes = 50 });
    }

    // ---- unknown_type -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("click")]
    [InlineData("PAGE_VIEW")]
    [InlineData("page_view ")]
    [InlineData("")]
    public void Unknown_type_is_rejected(string type)
    {
        var r = Rejected(Event(type), RejectReason.UnknownType);
        Assert.Equal("unknown_type", r.Code);
    }

    [Fact]
    public void Unknown_type_detail_echoes_at_most_64_characters()
    {
        var r = Rejected(Event(new string('z', 500)), RejectReason.UnknownType);
        Assert.True(r.Detail.Length <= 100, r.Detail);
    }

    // ---- missing_id / id_too_long -----------------------------------------------------------------------------

    [Fact]
    public void Event_without_user_or_anonymous_id_is_rejected()
    {
        var r = Rejected("""{"event_id":"e1","type":"page_view","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingId);
        Assert.Contains("user_id", r.Detail);
    }

    [Fact]
    public void Event_with_both_ids_null_is_rejected()
    {
        Rejected(Event("page_view", ids: "\"user_id\":null,\"anonymous_id\":null"), RejectReason.MissingId);
    }

    [Fact]
    public void Event_without_event_id_is_rejected()
    {
        var r = Rejected("""{"type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingId);
        Assert.Contains("event_id", r.Detail);
    }

    [Theory]
    [InlineData("\"user_id\":\"\"", "user_id")]
    [InlineData("\"anonymous_id\":\"\"", "anonymous_id")]
    [InlineData("\"user_id\":\"u1\",\"anonymous_id\":\"\"", "anonymous_id")]
    public void Empty_id_is_rejected(string ids, string field)
    {
        var r = Rejected(Event("page_view", ids: ids), RejectReason.MissingId);
        Assert.Contains(field, r.Detail);
    }

    [Fact]
    public void Empty_event_id_is_rejected()
    {
        Rejected(Event("page_view").Replace("\"e1\"", "\"\""), RejectReason.MissingId);
    }

    [Fact]
    public void Event_id_of_129_characters_is_too_long()
    {
        var r = Rejected(Event("page_view").Replace("\"e1\"", $"\"{new string('e', 129)}\""), RejectReason.IdTooLong);
        Assert.Equal("id_too_long", r.Code);
        Assert.Contains("event_id", r.Detail);
    }

    [Theory]
    [InlineData("user_id")]
    [InlineData("anonymous_id")]
    public void User_or_anonymous_id_of_257_characters_is_too_long(string field)
    {
        var r = Rejected(Event("page_view", ids: $"\"{field}\":\"{new string('u', 257)}\""), RejectReason.IdTooLong);
        Assert.Contains(field, r.Detail);
    }

    [Fact]
    public void Identify_and_alias_require_a_user_id()
    {
        Rejected(Event("identify", ids: "\"anonymous_id\":\"a1\""), RejectReason.MissingId);
        Rejected(Event("alias", """{"previous_id":"a0"}""", ids: "\"anonymous_id\":\"a1\""), RejectReason.MissingId);
    }

    // ---- timestamps -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("2026-11-23T10:00:00")]
    [InlineData("2026-11-23T10:00:00.123")]
    [InlineData("2026-11-23")]
    public void Timestamp_without_offset_is_rejected(string ts)
    {
        var r = Rejected(Event("page_view").Replace("2026-11-23T09:59:00.123Z", ts), RejectReason.InvalidTimestamp);
        Assert.Equal("invalid_timestamp", r.Code);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-45T10:00:00Z")]
    [InlineData("2026-11-23T25:00:00Z")]
    [InlineData("")]
    [InlineData("2026-11-23 10:00:00Z")]
    public void Unparseable_timestamp_is_rejected(string ts)
    {
        Rejected(Event("page_view").Replace("2026-11-23T09:59:00.123Z", ts), RejectReason.InvalidTimestamp);
    }

    [Fact]
    public void Timestamp_that_is_a_number_is_a_wrong_field_type()
    {
        var r = Rejected(Event("page_view").Replace("\"2026-11-23T09:59:00.123Z\"", "1763892000"), RejectReason.WrongFieldType);
        Assert.Contains("timestamp", r.Detail);
    }

    [Fact]
    public void Missing_timestamp_is_a_missing_field()
    {
        var r = Rejected("""{"event_id":"e1","type":"page_view","user_id":"u1"}""", RejectReason.MissingField);
        Assert.Contains("timestamp", r.Detail);
    }

    [Fact]
    public void Timestamp_6_minutes_ahead_of_now_is_rejected_as_future()
    {
        var ts = Now.AddMinutes(6).ToString("O");
        var r = Rejected(Event("page_view").Replace("2026-11-23T09:59:00.123Z", ts), RejectReason.FutureTimestamp);
        Assert.Equal("future_timestamp", r.Code);
    }

    [Fact]
    public void Timestamp_4_minutes_ahead_in_another_offset_is_accepted()
    {
        var ts = Now.AddMinutes(4).ToOffset(TimeSpan.FromHours(-5)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz");
        var e = Valid(Event("page_view").Replace("2026-11-23T09:59:00.123Z", ts));
        Assert.Equal(Now.AddMinutes(4), e.Timestamp);
    }

    [Fact]
    public void Parse_accepted_accepts_a_future_timestamp()
    {
        var json = Encoding.UTF8.GetBytes(Event("page_view").Replace("2026-11-23T09:59:00.123Z", "2099-01-01T00:00:00Z"));
        Assert.Equal(RejectReason.FutureTimestamp, EventParser.Parse(json, Now).Rejection.Reason);
        var result = EventParser.ParseAccepted(json);
        Assert.True(result.IsValid);
        Assert.Equal(2099, result.Event!.Timestamp.Year);
    }

    [Fact]
    public void Parse_accepted_still_validates_everything_else()
    {
        Assert.Equal(RejectReason.MissingField, EventParser.ParseAccepted(Encoding.UTF8.GetBytes(Event("search"))).Rejection.Reason);
    }

    // ---- wrong_field_type -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("product_view", """{"item_id":"a","price":"abc"}""", "properties.price")]
    [InlineData("product_view", """{"item_id":"a","price":"19.99"}""", "properties.price")]
    [InlineData("product_view", """{"item_id":7}""", "properties.item_id")]
    [InlineData("product_view", """{"item_id":"a","category":["x"]}""", "properties.category")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":"2"}""", "properties.quantity")]
    [InlineData("add_to_cart", """{"item_id":"a","quantity":1.5}""", "properties.quantity")]
    [InlineData("remove_from_cart", """{"item_id":"a","price":true}""", "properties.price")]
    [InlineData("page_view", """{"url":42}""", "properties.url")]
    [InlineData("search", """{"query":{"q":"x"}}""", "properties.query")]
    [InlineData("purchase", """{"order_id":"o","items":{"item_id":"a"}}""", "properties.items")]
    [InlineData("purchase", """{"order_id":"o","items":["a"]}""", "properties.items[0]")]
    [InlineData("purchase", """{"order_id":"o","items":[{"item_id":"a","price":"x"}]}""", "properties.items[0].price")]
    [InlineData("purchase", """{"order_id":"o","items":[{"item_id":"a"},{"item_id":"b","quantity":"x"}]}""", "properties.items[1].quantity")]
    [InlineData("purchase", """{"order_id":"o","revenue":"100"}""", "properties.revenue")]
    [InlineData("purchase", """{"order_id":"o","currency":978}""", "properties.currency")]
    [InlineData("purchase", """{"order_id":123}""", "properties.order_id")]
    [InlineData("alias", """{"previous_id":1}""", "properties.previous_id")]
    [InlineData("consent", """{"purposes":["analytics"]}""", "properties.purposes")]
    [InlineData("consent", """{"purposes":{"analytics":"yes"}}""", "properties.purposes.analytics")]
    [InlineData("offer_impression", """{"campaign_id":5}""", "properties.campaign_id")]
    [InlineData("offer_click", """{"campaign_id":"c","variant_id":false}""", "properties.variant_id")]
    [InlineData("custom", """{"name":null,"x":1}""", "properties.name")]
    [InlineData("page_view", "[]", "properties")]
    [InlineData("page_view", "\"url\"", "properties")]
    public void Wrong_type_for_a_known_field_is_rejected_naming_the_field(string type, string properties, string field)
    {
        var result = Parse(Event(type, properties));
        Assert.False(result.IsValid);
        if (field == "properties.name")
        {
            // An explicit null for a required field reads as absent.
            Assert.Equal(RejectReason.MissingField, result.Rejection.Reason);
        }
        else
        {
            Assert.Equal(RejectReason.WrongFieldType, result.Rejection.Reason);
            Assert.Equal("wrong_field_type", result.Rejection.Code);
        }

        Assert.StartsWith(field, result.Rejection.Detail);
    }

    [Theory]
    [InlineData("""{"event_id":1,"type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", "event_id")]
    [InlineData("""{"event_id":"e1","type":3,"user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", "type")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":42,"timestamp":"2026-11-23T09:00:00Z"}""", "user_id")]
    [InlineData("""{"event_id":"e1","type":"page_view","anonymous_id":["a"],"timestamp":"2026-11-23T09:00:00Z"}""", "anonymous_id")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","context":"web"}""", "context")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","traits":[1]}""", "traits")]
    [InlineData("""{"event_id":"e1","type":"identify","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","traits":{"address":{"city":"Oslo"}}}""", "traits.address")]
    public void Wrong_type_for_a_top_level_field_is_rejected_naming_the_field(string json, string field)
    {
        var r = Rejected(json, RejectReason.WrongFieldType);
        Assert.StartsWith(field, r.Detail);
    }

    [Fact]
    public void Wrong_type_is_found_when_properties_come_before_the_type()
    {
        var r = Rejected("""{"properties":{"item_id":"a","price":"abc"},"event_id":"e1","user_id":"u1","timestamp":"2026-11-23T09:00:00Z","type":"product_view"}""", RejectReason.WrongFieldType);
        Assert.StartsWith("properties.price", r.Detail);
    }

    [Fact]
    public void Revenue_summed_from_lines_beyond_the_amount_limit_is_out_of_range()
    {
        var r = Rejected(Event("purchase", """{"order_id":"o","items":[{"item_id":"a","price":999999999999,"quantity":2}]}"""), RejectReason.OutOfRange);
        Assert.StartsWith("properties.revenue", r.Detail);
        Assert.Contains("properties.items", r.Detail);
    }

    // ---- missing_field ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("product_view", "{}", "properties.item_id")]
    [InlineData("product_view", """{"item_id":""}""", "properties.item_id")]
    [InlineData("add_to_cart", """{"price":1}""", "properties.item_id")]
    [InlineData("remove_from_cart", "{}", "properties.item_id")]
    [InlineData("search", "{}", "properties.query")]
    [InlineData("purchase", """{"items":[]}""", "properties.order_id")]
    [InlineData("purchase", """{"order_id":"o","items":[{"price":1}]}""", "properties.items[0].item_id")]
    [InlineData("alias", "{}", "properties.previous_id")]
    [InlineData("consent", "{}", "properties.purposes")]
    [InlineData("offer_impression", """{"variant_id":"v"}""", "properties.campaign_id")]
    [InlineData("offer_click", "{}", "properties.campaign_id")]
    [InlineData("custom", "{}", "properties.name")]
    public void Missing_required_property_is_rejected_naming_it(string type, string properties, string field)
    {
        var r = Rejected(Event(type, properties), RejectReason.MissingField);
        Assert.Equal("missing_field", r.Code);
        Assert.StartsWith(field, r.Detail);
    }

    [Fact]
    public void Missing_properties_object_counts_as_missing_required_property()
    {
        var r = Rejected("""{"event_id":"e1","type":"product_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingField);
        Assert.StartsWith("properties.item_id", r.Detail);
    }

    [Theory]
    [InlineData("""{"event_id":"e1","type":null,"user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingField, "type")]
    [InlineData("""{"event_id":"e1","type":"page_view","user_id":"u1","timestamp":null}""", RejectReason.MissingField, "timestamp")]
    [InlineData("""{"event_id":null,"type":"page_view","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingId, "event_id")]
    public void Null_for_a_required_field_is_reported_as_missing(string json, RejectReason reason, string field)
    {
        var r = Rejected(json, reason);
        Assert.StartsWith(field, r.Detail);
    }

    [Fact]
    public void Missing_type_is_a_missing_field()
    {
        var r = Rejected("""{"event_id":"e1","user_id":"u1","timestamp":"2026-11-23T09:00:00Z"}""", RejectReason.MissingField);
        Assert.StartsWith("type", r.Detail);
    }

    // ---- codes ------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_reject_reason_has_a_distinct_snake_case_code()
    {
        var codes = Enum.GetValues<RejectReason>().Select(r => new Rejection(r, "x").Code).ToList();
        Assert.Equal(
            [
                "malformed_json", "oversize", "unknown_type", "missing_id", "id_too_long", "invalid_id", "invalid_timestamp",
                "future_timestamp", "wrong_field_type", "missing_field", "out_of_range", "parse_failed",
            ],
            codes);
    }
}
