using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Scores;
using DmpActors.Traffic;
using DmpActors.Traffic.Population;

namespace DmpActors.Ml.Tests;

/// <summary>
/// Sixty days of the load generator's shop, parsed by the platform's event parser and grouped by the person behind
/// each event, with the generator's latent group of every person. Each latent group has one home category here
/// (as many categories as groups need, plus three nobody favours), and nobody refuses personalisation, so interests
/// are recorded for everyone.
/// </summary>
public class GeneratedShopBase
{
    public static readonly DateTimeOffset Start = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Span = TimeSpan.FromDays(60);

    protected GeneratedShopBase(int users, int events, int seed)
    {
        var options = new TrafficOptions
        {
            Seed = seed, Users = users, Categories = 8, Groups = 5, ConcurrentSessions = 2, ConsentProbability = 0,
            ConsentChangeProbability = 0,
        };
        var generator = new TrafficGenerator(options);
        var step = Span / events;
        var byUser = new Dictionary<string, List<UserEvent>>();
        for (var i = 0; i < events; i++)
        {
            var g = generator.Next(Start + step * i);
            var parsed = EventParser.ParseAccepted(g.Json);
            if (!parsed.IsValid) continue;
            if (!byUser.TryGetValue(g.EntityId, out var list)) byUser[g.EntityId] = list = [];
            list.Add(parsed.Event);
        }

        Events = byUser.Select(kv => (kv.Key, (IReadOnlyList<UserEvent>)kv.Value)).ToArray();
        Truth = generator.GroundTruth();
        Groups = Truth.Users.ToDictionary(u => u.EntityId, u => u.Group);
    }

    /// <summary>The generator's latent truth: groups, their click model, every user's group.</summary>
    public TrafficGroundTruth Truth { get; }

    public IReadOnlyList<(string UserId, IReadOnlyList<UserEvent> Events)> Events { get; }

    public IReadOnlyDictionary<string, int> Groups { get; }

    /// <summary>Training rows at several cut times between day 20 and day 30 (labels need 30 days after).</summary>
    public IReadOnlyList<TrainingRow> Rows(params int[] days) =>
        days.SelectMany(d => TrainingRows.ForPopulation(Events, Start.AddDays(d), ProfileRules.Default, LabelHorizons.Default)).ToArray();
}

/// <summary>A shop where each user has a dozen or more sessions: enough history for interests and habits to show.</summary>
public sealed class GeneratedShop() : GeneratedShopBase(users: 1_000, events: 150_000, seed: 42);
