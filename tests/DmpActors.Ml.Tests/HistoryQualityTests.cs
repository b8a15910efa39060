using DmpActors.Domain.Events;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Quality;

namespace DmpActors.Ml.Tests;

public class HistoryQualityTests
{
    private static readonly DateTimeOffset Cutoff = new(2011, 9, 10, 0, 0, 0, TimeSpan.FromHours(1));

    private static UserEvent Purchase(string user, DateTimeOffset at, decimal price) => new()
    {
        EventId = $"{user}-{at:O}", Type = EventType.Purchase, UserId = user, Timestamp = at, OrderId = $"{user}-{at.Ticks}",
        Currency = "GBP", Items = [new LineItem("item", null, price, 1)],
    };

    [Fact]
    public void The_models_refuse_a_history_that_reaches_the_cutoff()
    {
        var history = new Dictionary<string, IReadOnlyList<UserEvent>> { ["u1"] = [Purchase("u1", Cutoff.AddDays(-10), 5), Purchase("u1", Cutoff, 5)] };

        Assert.Throws<ArgumentException>(() => HistoryModels.Fit(history, Cutoff, TimeSpan.FromDays(91)));
    }

    [Fact]
    public void Frequent_buyers_are_scored_to_spend_more_and_churn_less_than_one_off_buyers()
    {
        // Given 300 customers who buy every 10 days and 300 who bought once, long ago
        var history = new Dictionary<string, IReadOnlyList<UserEvent>>();
        for (var i = 0; i < 300; i++)
        {
            history[$"f{i}"] = Enumerable.Range(1, 30).Select(d => Purchase($"f{i}", Cutoff.AddDays(-10 * d - i % 7), 20 + i % 5)).OrderBy(e => e.Timestamp).ToList();
            history[$"o{i}"] = [Purchase($"o{i}", Cutoff.AddDays(-300 - i % 20), 20)];
        }

        // When the engine's models learn from point-in-time rows and score everyone at the cutoff
        var scores = HistoryModels.Fit(history, Cutoff, TimeSpan.FromDays(91))!;

        // Then the frequent buyers are expected to spend and the one-off buyers to stay away
        Assert.True(scores.TrainingRows > 600);
        Assert.True(scores.Spend["f1"] > scores.Spend["o1"] + 50, $"{scores.Spend["f1"]} vs {scores.Spend["o1"]}");
        Assert.True(scores.Churn["o1"] > scores.Churn["f1"] + 0.5, $"{scores.Churn["o1"]} vs {scores.Churn["f1"]}");
    }

    [Fact]
    public void Segments_of_two_clear_groups_are_chosen_as_two_stable_clusters_and_told_apart_by_what_they_spend_next()
    {
        var random = new Random(1);
        var customers = Enumerable.Range(0, 200).Select(i => i < 100
            ? new SegmentCustomer($"big{i}", new RfmInput(3 + random.NextDouble(), 40 + random.Next(5), 5000 + random.Next(500)), 5000, 2000)
            : new SegmentCustomer($"small{i}", new RfmInput(250 + random.Next(50), 1, 20 + random.Next(5)), 20, 0)).ToList();

        var (tables, k) = SegmentQuality.Measure(customers, replicates: 50, seed: 1);

        Assert.Equal(2, k);
        var choice = tables[0].Rows.Single(r => r.Model == "k = 2 (chosen)");
        Assert.True(choice.Values[1]!.Value > 0.95, $"stability {choice.Values[1]}");
        var first = tables[1].Rows.Single(r => r.Model.StartsWith("cluster 1 of 2", StringComparison.Ordinal));
        Assert.Equal(2000, first.Values[2]!.Value, 6);
    }
}
