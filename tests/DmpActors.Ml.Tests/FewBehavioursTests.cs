using DmpActors.Domain.Scores;
using DmpActors.Ml.Clustering;

namespace DmpActors.Ml.Tests;

public class FewBehavioursTests
{
    private static FeatureSample Sample(int i, string category) =>
        new($"u{i}", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new float[ProfileFeatures.NumericNames.Count],
            [new CategoryShare(category, 1f)]);

    [Fact]
    public void Users_who_show_only_three_distinct_behaviours_get_at_most_three_clusters()
    {
        var samples = Enumerable.Range(0, 60).Select(i => Sample(i, "abc"[i % 3].ToString())).ToList();

        var trained = BehaviourClustering.Train(samples);

        Assert.InRange(trained.Metrics["k"], 2, 3);
        Assert.False(trained.Metrics.ContainsKey("silhouette_k4"));
    }

    [Fact]
    public void Users_who_all_look_alike_are_refused_with_the_reason()
    {
        var samples = Enumerable.Range(0, 60).Select(i => Sample(i, "a")).ToList();

        var refused = Assert.Throws<ArgumentException>(() => BehaviourClustering.Train(samples));

        Assert.StartsWith("1 distinct behaviours are too few for 2 clusters", refused.Message);
    }
}
