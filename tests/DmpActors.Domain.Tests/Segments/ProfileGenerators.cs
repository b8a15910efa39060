using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using FsCheck;
using FsCheck.Fluent;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>A profile folded by <see cref="ProfileReducer"/> from random events, an evaluation instant and external inputs.</summary>
internal sealed record Scenario(UserProfile Profile, DateTimeOffset Now, RuleInputs Inputs)
{
    public override string ToString() =>
        $"{Profile.EventsApplied} events, last {Profile.LastSeen:o}, now {Now:o}, rfm {Inputs.Rfm}, scores {string.Join(",", Inputs.Scores)}";
}

internal static class ProfileGenerators
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Events over 45 days in event-time order (so none is too late), of every type a rule field counts.</summary>
    internal static Gen<Func<int, UserEvent>> Event =>
        from kind in Gen.Choose(0, 9)
        from n in Gen.Choose(0, 5)
        from cents in Gen.Choose(1, 9_000)
        from granted in Gen.Elements(true, false)
        select (Func<int, UserEvent>)(index => Make(index, kind, n, cents, granted));

    private static UserEvent Make(int index, int kind, int n, int cents, bool granted)
    {
        var e = new UserEvent { EventId = $"e{index}", Type = EventType.PageView, UserId = "u1", Timestamp = T0, Url = "/" };
        var category = RuleGenerators.Categories[n % 3];
        return kind switch
        {
            0 => e,
            1 or 2 => e with { Type = EventType.ProductView, ItemId = $"item-{n}", Category = category, Price = 10m },
            3 => e with { Type = EventType.AddToCart, ItemId = $"item-{n}", Category = category, Quantity = 1 },
            4 => e with
            {
                Type = EventType.Purchase, OrderId = $"o{index}", Revenue = cents / 100m, Currency = "EUR",
                Items = [new LineItem($"item-{n}", category, cents / 100m, 1)],
            },
            5 => e with { Type = EventType.Search, Query = "q" },
            6 => e with { Type = EventType.Identify, Traits = new Dictionary<string, string?> { ["country"] = n < 3 ? RuleGenerators.Countries[n] : null } },
            7 => e with { Type = EventType.Consent, ConsentPurposes = new Dictionary<string, bool> { [n % 2 == 0 ? "marketing" : "ads"] = granted } },
            8 => e with { Type = EventType.OfferImpression, CampaignId = RuleGenerators.Campaigns[n % 2] },
            _ => e with { Type = EventType.OfferClick, CampaignId = RuleGenerators.Campaigns[n % 2] },
        };
    }

    public static Gen<UserProfile> Profiles =>
        from count in Gen.Choose(0, 60)
        from events in Event.ArrayOf(count).Select(makers => makers.Select((make, i) => make(i)).ToArray())
        from minutes in Gen.Choose(0, 45 * 1440).ArrayOf(count)
        from recent in Gen.Choose(0, 180).ArrayOf(count)
        from clustered in Gen.Elements(true, false)
        select Fold(events, minutes, recent, clustered);

    /// <summary>Half the profiles cluster their events in the last few hours, so the 1h and 24h windows have data.</summary>
    private static UserProfile Fold(UserEvent[] events, int[] minutes, int[] recent, bool clustered)
    {
        var end = T0.AddDays(45);
        var times = events.Select((_, i) => clustered ? end.AddMinutes(-recent[i]) : T0.AddMinutes(minutes[i])).Order().ToArray();
        var profile = UserProfile.Empty("u1");
        for (var i = 0; i < events.Length; i++) profile = ProfileReducer.Apply(profile, events[i] with { Timestamp = times[i] }, null).Profile;
        return profile;
    }

    private static Gen<RuleInputs> Inputs =>
        from hasRfm in Gen.Elements(true, false)
        from r in Gen.Choose(1, 5)
        from m in Gen.Choose(1, 5)
        from segment in Gen.Elements(RuleGenerators.Segments)
        from churn in Gen.Frequency((1, Gen.Constant<int?>(null)), (2, Gen.Choose(0, 400).Select(x => (int?)x)))
        from cluster in Gen.Frequency((1, Gen.Constant<int?>(null)), (2, Gen.Choose(0, 3).Select(x => (int?)x)))
        select new RuleInputs(
            hasRfm ? new RfmScores(r, 3, m, segment) : null,
            churn is { } c ? new Dictionary<string, double> { ["churn"] = c / 100.0 } : new Dictionary<string, double>(),
            cluster is { } k ? new Dictionary<string, int> { ["behaviour"] = k } : new Dictionary<string, int>());

    /// <summary>Now is at the latest event or up to 40 days after it, on whole minutes or between them.</summary>
    public static Gen<Scenario> Scenarios =>
        from profile in Profiles
        from minutes in Gen.Frequency((2, Gen.Choose(0, 120)), (2, Gen.Choose(0, 3 * 1440)), (1, Gen.Choose(0, 40 * 1440)))
        from seconds in Gen.Choose(0, 59)
        from inputs in Inputs
        select new Scenario(profile, (profile.Windows.Watermark ?? T0).AddMinutes(minutes).AddSeconds(seconds), inputs);
}
