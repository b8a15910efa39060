using DmpActors.Ml.Clustering;

namespace DmpActors.Ml.Tests;

public class ClusteringMeasuresTests
{
    [Fact]
    public void Identical_partitions_agree_fully_whatever_their_names()
    {
        int[] a = [0, 0, 1, 1, 2, 2];
        Assert.Equal(1, AdjustedRandIndex.Of(a, a), 9);
        Assert.Equal(1, AdjustedRandIndex.Of(a, [5, 5, 3, 3, 9, 9]), 9);
    }

    [Fact]
    public void Independent_partitions_agree_about_as_much_as_chance()
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, 5000).Select(_ => random.Next(5)).ToArray();
        var b = Enumerable.Range(0, 5000).Select(_ => random.Next(5)).ToArray();

        Assert.InRange(AdjustedRandIndex.Of(a, b), -0.02, 0.02);
    }

    [Fact]
    public void A_known_table_gives_its_textbook_index()
    {
        // Pairs together in both: 2; in a: 3 + 3 = 6; in b: 1 + 1 + 1 = 3; of 15 pairs. Expected 6 · 3 / 15, maximum (6 + 3) / 2.
        int[] a = [0, 0, 0, 1, 1, 1];
        int[] b = [0, 0, 1, 1, 2, 2];
        Assert.Equal((2 - 6 * 3 / 15.0) / (4.5 - 6 * 3 / 15.0), AdjustedRandIndex.Of(a, b), 9);
    }

    [Fact]
    public void Well_separated_blobs_have_a_silhouette_near_one_and_a_bad_split_near_zero_or_below()
    {
        var random = new Random(1);
        var points = Enumerable.Range(0, 200)
            .Select(i => new[] { (i < 100 ? 0f : 10f) + (float)random.NextDouble() * 0.1f, (float)random.NextDouble() * 0.1f })
            .ToArray();
        var right = points.Select((_, i) => i < 100 ? 0 : 1).ToArray();
        var wrong = points.Select((_, i) => i % 2).ToArray();

        Assert.True(Silhouette.Of(points, right, 2) > 0.95);
        Assert.True(Silhouette.Of(points, wrong, 2) < 0.05);
    }
}
