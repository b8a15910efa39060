using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DmpActors.Domain.Tests.Profiles;

/// <summary>Properties of <see cref="ProfileReducer"/> that must hold for any sequence of events.</summary>
public class ProfileReducerProperties
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An event of a random type; few distinct values so that items, orders, traits and purposes collide.</summary>
    internal static Gen<UserEvent> AnyEvent(Gen<string> eventIds) =>
        from kind in Gen.Choose(0, 8)
        from id in eventIds
        from minute in Gen.Choose(0, 10_000)
        from n in Gen.Choose(0, 79)
        from cents in Gen.Choose(0, 1_000_000)
        select Make(kind, id, minute, n, cents);

    private static UserEvent Make(int kind, string id, int minute, int n, int cents)
    {
        var e = new UserEvent { EventId = id, Type = EventType.PageView, UserId = "u1", Timestamp = T0.AddMinutes(minute) };
        return kind switch
        {
            0 => e with { Url = $"/p/{n}" },
            1 => e with { Type = EventType.ProductView, ItemId = $"item-{n}", Price = cents / 100m },
            2 => e with
            {
                Type = EventType.Purchase, OrderId = $"o-{n}", Revenue = cents / 100m, Currency = "EUR",
                Items = [new LineItem($"item-{n}", null, cents / 100m, 1)],
            },
            3 => e with { Type = EventType.Identify, Traits = new Dictionary<string, string?> { [$"k{n % 5}"] = n % 3 == 0 ? null : $"v{n}" } },
            4 => e with { Type = EventType.Consent, ConsentPurposes = new Dictionary<string, bool> { [$"p{n % 3}"] = n % 2 == 0 } },
            5 => e with { Type = EventType.Search, Query = $"q{n}" },
            6 => e with { Type = EventType.Alias, PreviousId = $"anon-{n % 20}" },
            7 => e with { Type = EventType.AddToCart, ItemId = $"item-{n}", Quantity = 1, AnonymousId = $"anon-{n % 20}" },
            _ => e with { Type = EventType.Custom, Name = $"c{n % 4}" },
        };
    }

    private sealed record Step(UserEvent Event, EventPosition? Position)
    {
        public override string ToString() => $"{Event.EventId}:{Event.Type}@{Position?.ToString() ?? "-"}";
    }

    /// <summary>
    /// Events as a Kafka consumer would deliver them, read from one of three partitions with increasing offsets
    /// (and, unless <paramref name="allFromKafka"/>, about 1/4 without a position, e.g. from HTTP); a quarter of
    /// the ids come from a small pool (producer duplicates), the rest are unique. Up to <paramref name="maxLength"/>
    /// events: more than 256 distinct ids overflows the id window, which only positions then protect.
    /// </summary>
    private static Arbitrary<Step[]> Deliveries(int maxLength = 250, bool allFromKafka = false) =>
        (from length in Gen.Choose(0, maxLength)
         from events in AnyEvent(Gen.Choose(0, 59).Select(i => $"e{i}")).ArrayOf(length)
         from pooled in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false))).ArrayOf(length)
         from partitions in Gen.Choose(allFromKafka ? 0 : -1, 2).ArrayOf(length)
         from gaps in Gen.Choose(1, 3).ArrayOf(length)
         select WithPositions(events.Select((e, i) => pooled[i] ? e : e with { EventId = $"x{i}" }).ToArray(), partitions, gaps)).ToArbitrary();

    private static Step[] WithPositions(UserEvent[] events, int[] partitions, int[] gaps)
    {
        var next = new long[3];
        var steps = new Step[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            EventPosition? position = null;
            if (partitions[i] >= 0)
            {
                next[partitions[i]] += gaps[i];
                position = new EventPosition(partitions[i], next[partitions[i]]);
            }

            steps[i] = new Step(events[i], position);
        }

        return steps;
    }

    /// <summary>Events with distinct ids.</summary>
    private static Gen<UserEvent[]> DistinctEvents(int maxCount) =>
        from count in Gen.Choose(0, maxCount)
        from events in AnyEvent(Gen.Constant("")).ArrayOf(count)
        select events.Select((e, i) => e with { EventId = $"e{i}" }).ToArray();

    private static UserProfile Run(IEnumerable<Step> steps) =>
        ProfileReducer.ApplyAll(UserProfile.Empty("u1"), steps.Select(s => (s.Event, s.Position)));

    /// <summary>Kafka replays after a crash: exact however long the sequence, because positions are tracked exactly.</summary>
    [Property(MaxTest = 200)]
    public Property Replaying_any_prefix_with_the_same_positions_changes_nothing() =>
        Prop.ForAll(Deliveries(maxLength: 700, allFromKafka: true), Gen.Choose(0, 1000).ToArbitrary(), ReplayChangesNothing);

    /// <summary>Events without a position are protected by the id window only: exact while it holds them all.</summary>
    [Property(MaxTest = 200)]
    public Property Replaying_any_prefix_of_mixed_deliveries_within_the_id_window_changes_nothing() =>
        Prop.ForAll(Deliveries(maxLength: DedupeState.Capacity - 6), Gen.Choose(0, 1000).ToArbitrary(), ReplayChangesNothing);

    private static void ReplayChangesNothing(Step[] steps, int cut)
    {
        var profile = Run(steps);
        foreach (var step in steps.Take(cut % (steps.Length + 1)))
        {
            var result = ProfileReducer.Apply(profile, step.Event, step.Position);
            Assert.NotEqual(ApplyOutcome.Applied, result.Outcome);
            Assert.Same(profile, result.Profile);
        }
    }

    [Property(MaxTest = 200)]
    public Property Applying_the_same_event_twice_without_position_counts_once() =>
        Prop.ForAll(DistinctEvents(60).ToArbitrary(), events =>
        {
            var once = Run(events.Select(e => new Step(e, null)));
            var twice = Run(events.SelectMany(e => new[] { new Step(e, null), new Step(e, null) }));
            var again = Run(events.Concat(events).Select(e => new Step(e, null)));
            foreach (var p in new[] { twice, again })
            {
                Assert.Equal(once.EventCounts, p.EventCounts);
                Assert.Equal(once.EventsApplied, p.EventsApplied);
                Assert.Equal(once.TotalRevenue, p.TotalRevenue);
                Assert.Equal(once.Orders, p.Orders);
            }
        });

    [Property(MaxTest = 200)]
    public Property Counts_revenue_and_event_time_facts_do_not_depend_on_arrival_order() =>
        Prop.ForAll(DistinctEvents(60).SelectMany(es => Gen.Shuffle(es).Select(shuffled => (es, shuffled))).ToArbitrary(), pair =>
        {
            var a = Run(pair.es.Select(e => new Step(e, null)));
            var b = Run(pair.shuffled.Select(e => new Step(e, null)));
            Assert.Equal(a.EventCounts, b.EventCounts);
            Assert.Equal(a.EventsApplied, b.EventsApplied);
            Assert.Equal(a.TotalRevenue, b.TotalRevenue);
            Assert.Equal(a.Orders, b.Orders);
            Assert.Equal(a.FirstSeen, b.FirstSeen);
            Assert.Equal(a.LastSeen, b.LastSeen);
            Assert.Equal(a.LastPurchase?.OrderId, b.LastPurchase?.OrderId);
            Assert.Equal(a.LastPurchase?.At, b.LastPurchase?.At);
            Assert.Equal(a.Consent?.OrderBy(kv => kv.Key), b.Consent?.OrderBy(kv => kv.Key));
            Assert.Equal(a.RecentlyViewedItems.ToHashSet(), b.RecentlyViewedItems.ToHashSet());
        });

    [Property(MaxTest = 100)]
    public Property Recently_viewed_items_never_exceed_50_and_are_distinct() =>
        Prop.ForAll(Gen.Choose(0, 400).SelectMany(n => Gen.Choose(0, 79).ArrayOf(n)).ToArbitrary(), items =>
        {
            var profile = UserProfile.Empty("u1");
            for (var i = 0; i < items.Length; i++)
            {
                profile = ProfileReducer.Apply(profile, Make(1, $"e{i}", i, items[i], 100), null).Profile;
                Assert.True(profile.RecentlyViewedItems.Count <= UserProfile.MaxRecentlyViewedItems);
                Assert.Equal(profile.RecentlyViewedItems.Count, profile.RecentlyViewedItems.Distinct().Count());
                Assert.Equal($"item-{items[i]}", profile.RecentlyViewedItems[0]);
            }

            // The window holds exactly the most recently viewed distinct items.
            var expected = items.Reverse().Select(n => $"item-{n}").Distinct().Take(UserProfile.MaxRecentlyViewedItems);
            Assert.Equal(expected, profile.RecentlyViewedItems);
        });

    [Property(MaxTest = 200)]
    public Property Lifetime_counts_equal_the_number_of_distinct_applied_events() =>
        Prop.ForAll(Deliveries(), steps =>
        {
            var profile = Run(steps.Select(s => s with { Position = null }));
            var distinct = steps.Select(s => s.Event.EventId).Distinct().Count();
            Assert.Equal(distinct, profile.EventsApplied);
            Assert.Equal(distinct, EventTypes.All.Sum(profile.CountOf));
            foreach (var type in EventTypes.All)
            {
                var expected = steps.DistinctBy(s => s.Event.EventId).Count(s => s.Event.Type == type);
                Assert.Equal(expected, profile.CountOf(type));
            }
        });

    [Property(MaxTest = 200)]
    public Property Every_delivered_event_is_applied_exactly_once_or_reported_as_duplicate_or_replay() =>
        Prop.ForAll(Deliveries(), steps =>
        {
            var profile = UserProfile.Empty("u1");
            var applied = new HashSet<string>();
            foreach (var step in steps)
            {
                var result = ProfileReducer.Apply(profile, step.Event, step.Position);
                var isNew = applied.Add(step.Event.EventId);
                Assert.Equal(isNew, result.Outcome == ApplyOutcome.Applied);
                if (!isNew) Assert.Equal(profile with { Dedupe = result.Profile.Dedupe }, result.Profile);
                profile = result.Profile;
            }

            Assert.Equal(applied.Count, profile.EventsApplied);
        });
}
