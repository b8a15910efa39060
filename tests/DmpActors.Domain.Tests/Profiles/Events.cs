using DmpActors.Domain.Events;

namespace DmpActors.Domain.Tests.Profiles;

/// <summary>Builders for events in reducer tests.</summary>
internal static class Events
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static UserEvent Of(EventType type, string id, int minute = 0, string user = "u1") => new()
    {
        EventId = id,
        Type = type,
        UserId = user,
        Timestamp = T0.AddMinutes(minute),
    };

    public static UserEvent PageView(string id, int minute = 0) => Of(EventType.PageView, id, minute) with { Url = "/" };

    public static UserEvent ProductView(string id, string item, int minute = 0) =>
        Of(EventType.ProductView, id, minute) with { ItemId = item, Category = "shoes", Price = 10m };

    public static UserEvent Purchase(string id, string order, decimal revenue, int minute = 0) =>
        Of(EventType.Purchase, id, minute) with
        {
            OrderId = order,
            Revenue = revenue,
            Currency = "EUR",
            Items = [new LineItem("sku-" + order, "shoes", revenue, 1)],
        };

    public static UserEvent Identify(string id, int minute, params (string Key, string? Value)[] traits) =>
        Of(EventType.Identify, id, minute) with { Traits = traits.ToDictionary(t => t.Key, t => t.Value) };

    public static UserEvent Consent(string id, int minute, params (string Purpose, bool Granted)[] purposes) =>
        Of(EventType.Consent, id, minute) with { ConsentPurposes = purposes.ToDictionary(p => p.Purpose, p => p.Granted) };
}
