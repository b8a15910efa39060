using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;
using FsCheck;
using FsCheck.Fluent;

namespace DmpActors.Domain.Tests.Profiles.Windows;

/// <summary>
/// A brute-force model of the windows: keeps every accepted event and recomputes each value from the list, with the
/// documented bucket rule (an event rests in the finest tier — minute for the last 60 minutes, hour for the 24 hours
/// before, day for the 30 days before — of the latest event time) and the documented session rule.
/// </summary>
internal static class WindowReference
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly ProfileRules Rules = ProfileRules.Default;

    /// <summary>Events in time order, seconds apart up to days apart, from small pools of items, categories and campaigns.</summary>
    public static Gen<UserEvent[]> InOrder(int maxLength) =>
        from length in Gen.Choose(1, maxLength)
        from kinds in Gen.Choose(0, 7).ArrayOf(length)
        from ns in Gen.Choose(0, 19).ArrayOf(length)
        from gaps in Gen.Frequency(
            (6, Gen.Choose(0, 120)),
            (3, Gen.Choose(0, 45 * 60)),
            (1, Gen.Choose(0, 2 * 86_400))).ArrayOf(length)
        select Build(kinds, ns, gaps);

    private static UserEvent[] Build(int[] kinds, int[] ns, int[] gaps)
    {
        var events = new UserEvent[kinds.Length];
        var t = T0;
        for (var i = 0; i < kinds.Length; i++)
        {
            t = t.AddSeconds(gaps[i]);
            events[i] = Make(kinds[i], $"e{i}", t, ns[i]);
        }

        return events;
    }

    public static UserEvent Make(int kind, string id, DateTimeOffset at, int n)
    {
        var e = new UserEvent { EventId = id, Type = EventType.PageView, UserId = "u1", Timestamp = at, Url = "/" };
        return kind switch
        {
            0 => e,
            1 => e with { Type = EventType.ProductView, ItemId = $"item-{n}", Category = $"cat-{n % 5}", Price = 10m },
            2 => e with
            {
                Type = EventType.Purchase, OrderId = $"o-{id}", Revenue = n + 0.25m, Currency = "EUR",
                Items = [new LineItem($"item-{n}", $"cat-{n % 5}", n + 0.25m, 1)],
            },
            3 => e with { Type = EventType.Search, Query = "q" },
            4 => e with { Type = EventType.AddToCart, ItemId = $"item-{n}", Category = $"cat-{n % 5}", Quantity = 1 },
            5 => e with { Type = EventType.OfferImpression, CampaignId = $"camp-{n % 3}" },
            6 => e with { Type = EventType.OfferClick, CampaignId = $"camp-{n % 3}" },
            _ => e with { Type = EventType.Custom, Name = "c" },
        };
    }

    /// <summary>The same events in an arrival order where each is at most <paramref name="lateness"/> behind the
    /// latest before it: each arrives at its time plus a random delay up to the lateness.</summary>
    public static Gen<UserEvent[]> ShuffledWithin(UserEvent[] events, TimeSpan lateness) =>
        Gen.Choose(0, (int)lateness.TotalSeconds).ArrayOf(events.Length)
            .Select(delays => events.Select((e, i) => (e, arrives: e.Timestamp.AddSeconds(delays[i]))).OrderBy(x => x.arrives).Select(x => x.e).ToArray());

    public static BehaviourWindows Record(IEnumerable<UserEvent> events, BehaviourWindows? start = null) =>
        events.Aggregate(start ?? BehaviourWindows.Empty, (w, e) => w.Record(e, Rules, recording: true).Windows);

    /// <summary>Every standard window at a few query times from the watermark on, as comparable text.</summary>
    public static string Describe(BehaviourWindows w, DateTimeOffset watermark) =>
        string.Join("\n", from offset in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(30), TimeSpan.FromHours(20), TimeSpan.FromDays(6), TimeSpan.FromDays(29) }
                          from span in WindowSpans.Standard
                          select $"{span.Name}@+{offset}: {Describe(w.ValuesFor(span.Span, watermark + offset))}");

    public static string Describe(WindowValues v, bool withSessions = true) =>
        string.Join(" ", v.EventsByType.OrderBy(x => x.Key).Select(x => $"{x.Key}={x.Value}"))
        + " | cat " + string.Join(",", v.ProductViewsByCategory.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"))
        + " | imp " + string.Join(",", v.OfferImpressions.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"))
        + " | clk " + string.Join(",", v.OfferClicks.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"))
        + $" | items {v.DistinctItemsViewed}{(v.DistinctItemsExact ? "" : "~")} | revenue {v.Revenue:0.00}"
        + (withSessions ? $" | sessions {v.Sessions}" : "");

    /// <summary>The values the model expects for a window, all events accepted, watermark = the latest event time
    /// unless given.</summary>
    public static WindowValues Expected(IReadOnlyList<UserEvent> events, TimeSpan span, DateTimeOffset now, DateTimeOffset? watermarkOrLatest = null)
    {
        var watermark = watermarkOrLatest ?? (events.Count == 0 ? now : events.Max(e => e.Timestamp));
        var nowMinute = Minute(now);
        var from = nowMinute - (long)span.TotalMinutes + 1;
        bool Counts(DateTimeOffset t) => Bucket(Minute(t), Minute(watermark)) is var (start, length) && length > 0 && start <= nowMinute && start + length - 1 >= from;

        var counted = events.Where(e => Counts(e.Timestamp)).ToArray();
        var types = counted.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => (long)g.Count());
        var categories = counted.Where(e => e.Type == EventType.ProductView).GroupBy(e => e.Category!).ToDictionary(g => g.Key, g => (long)g.Count());
        var impressions = counted.Where(e => e.Type == EventType.OfferImpression).GroupBy(e => e.CampaignId!).ToDictionary(g => g.Key, g => (long)g.Count());
        var clicks = counted.Where(e => e.Type == EventType.OfferClick).GroupBy(e => e.CampaignId!).ToDictionary(g => g.Key, g => (long)g.Count());
        var revenue = counted.Where(e => e.Type == EventType.Purchase).Sum(e => e.Revenue!.Value);
        var distinct = events.Where(e => e.Type == EventType.ProductView).GroupBy(e => e.ItemId)
            .Count(g => Minute(g.Max(e => e.Timestamp)) >= from);

        var times = events.Select(e => e.Timestamp).Order().ToArray();
        var sessions = times.Where((t, i) => (i == 0 || t - times[i - 1] > Rules.SessionGap) && Counts(t)).Count();
        return new WindowValues(types, categories, distinct, true, revenue, sessions, impressions, clicks);
    }

    private static long Minute(DateTimeOffset t) => (long)Math.Floor((t - DateTimeOffset.UnixEpoch).TotalMinutes);

    private static (long Start, long Length) Bucket(long minute, long watermarkMinute)
    {
        if (minute >= watermarkMinute - 59) return (minute, 1);
        var hour = Floor(minute, 60);
        if (hour >= Floor(watermarkMinute, 60) - 24) return (hour * 60, 60);
        var day = Floor(hour, 24);
        return day >= Floor(Floor(watermarkMinute, 60), 24) - 30 ? (day * 1440, 1440) : (0, 0);
    }

    private static long Floor(long a, long b) => (long)Math.Floor(a / (double)b);
}
