using DmpActors.Domain.Events;

namespace DmpActors.Domain.Import;

/// <summary>One line of the UCI Online Retail file (docs/import.md): <c>InvoiceNo, StockCode, Description, Quantity,
/// InvoiceDate, UnitPrice, CustomerID, Country</c>. <see cref="InvoiceDate"/> is the shop's local time, no zone.</summary>
public sealed record OnlineRetailLine(string InvoiceNo, string StockCode, string? Description, int Quantity, DateTime InvoiceDate,
    decimal UnitPrice, string? CustomerId, string? Country)
{
    /// <summary>Invoices whose number starts with C cancel an earlier sale (their quantities are negative).</summary>
    public bool IsCancellation => InvoiceNo.StartsWith('C');
}

/// <summary>
/// Turns Online Retail invoices into DmpActors events, in the order they are given (give them in event-time order):
/// a sale is one <c>purchase</c> with its lines as items, a cancellation one <c>custom</c> event named <c>refund</c>, and a
/// customer's first invoice (or a change of country) is preceded by an <c>identify</c> with the <c>country</c> trait.
/// Lines the event contract cannot hold are skipped and counted by reason. Pure: the same invoices give the same events,
/// with ids derived from invoice and customer numbers, so importing a file twice is deduplicated by the engine.
/// </summary>
public sealed class OnlineRetailImport(TimeZoneInfo zone)
{
    public const string Currency = "GBP";
    public const string RefundEvent = "refund";

    private readonly Dictionary<string, string?> _countries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);

    /// <summary>Lines or invoices left out, by reason: <c>quantity_not_positive</c> (a sale line with quantity 0 or
    /// less), <c>negative_price</c> (bad-debt adjustments), <c>no_items</c> (a sale with no line left).</summary>
    public IReadOnlyDictionary<string, long> Skipped => _skipped;

    public static string UserIdOf(string customerId) => "retail-" + customerId;

    /// <summary>The anonymous id of an invoice without a customer: each such invoice is its own visitor.</summary>
    public static string AnonymousIdOf(string invoiceNo) => "retail-anon-" + invoiceNo;

    /// <summary>The invoice's time as an instant: its first line's local time in the shop's zone (Europe/London for
    /// the published file); a local time the clock skipped reads as the hour after, a repeated one as the first.</summary>
    public DateTimeOffset TimeOf(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified)) unspecified = unspecified.AddHours(1);
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }

    /// <summary>The events of one invoice (all its lines, in file order).</summary>
    public IReadOnlyList<UserEvent> Invoice(IReadOnlyList<OnlineRetailLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return [];
        var first = lines[0];
        var at = TimeOf(first.InvoiceDate);
        var customer = string.IsNullOrWhiteSpace(first.CustomerId) ? null : first.CustomerId.Trim();
        var events = new List<UserEvent>(2);
        if (customer is not null && Identify(customer, first.Country, at) is { } identify) events.Add(identify);

        var id = customer is null ? null : UserIdOf(customer);
        var anonymous = customer is null ? AnonymousIdOf(first.InvoiceNo) : null;
        if (first.IsCancellation)
        {
            events.Add(new UserEvent
            {
                EventId = "retail-" + first.InvoiceNo, Type = EventType.Custom, UserId = id, AnonymousId = anonymous, Timestamp = at,
                Name = RefundEvent,
            });
            return events;
        }

        var items = new List<LineItem>(lines.Count);
        foreach (var line in lines)
        {
            if (line.Quantity <= 0) Skip("quantity_not_positive");
            else if (line.UnitPrice < 0) Skip("negative_price");
            else items.Add(new LineItem(line.StockCode, null, line.UnitPrice, line.Quantity));
        }

        if (items.Count == 0)
        {
            Skip("no_items");
            return events;
        }

        events.Add(new UserEvent
        {
            EventId = "retail-" + first.InvoiceNo, Type = EventType.Purchase, UserId = id, AnonymousId = anonymous, Timestamp = at,
            OrderId = first.InvoiceNo, Items = items, Currency = Currency,
        });
        return events;
    }

    private UserEvent? Identify(string customer, string? country, DateTimeOffset at)
    {
        if (_countries.TryGetValue(customer, out var known) && known == country) return null;
        _countries[customer] = country;
        return new UserEvent
        {
            EventId = $"retail-identify-{customer}-{at.ToUnixTimeSeconds()}", Type = EventType.Identify, UserId = UserIdOf(customer),
            Timestamp = at, Traits = new Dictionary<string, string?> { ["country"] = country },
        };
    }

    private void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
}
