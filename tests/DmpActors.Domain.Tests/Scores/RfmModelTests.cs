using DmpActors.Domain.Scores;

namespace DmpActors.Domain.Tests.Scores;

public class RfmModelTests
{
    private static RfmModel Uniform() =>
        RfmModel.Fit(Enumerable.Range(1, 100).Select(i => new RfmInput(RecencyDays: i, Frequency: i, Monetary: i * 10)));

    [Fact]
    public void Cut_points_are_the_quintiles_of_the_population()
    {
        var model = Uniform();

        Assert.Equal([20, 40, 60, 80], model.RecencyCuts);
        Assert.Equal([20, 40, 60, 80], model.FrequencyCuts);
        Assert.Equal([200, 400, 600, 800], model.MonetaryCuts);
        Assert.Equal(100, model.Population);
    }

    [Fact]
    public void Each_score_holds_a_fifth_of_a_uniform_population()
    {
        var model = Uniform();
        var scores = Enumerable.Range(1, 100).Select(i => model.Score(new RfmInput(i, i, i * 10))).ToArray();

        for (var s = 1; s <= 5; s++)
        {
            Assert.Equal(20, scores.Count(x => x.Frequency == s));
            Assert.Equal(20, scores.Count(x => x.Recency == s));
            Assert.Equal(20, scores.Count(x => x.Monetary == s));
        }
    }

    [Fact]
    public void More_recent_purchases_score_higher_recency()
    {
        var model = Uniform();

        Assert.Equal(5, model.Score(new RfmInput(1, 1, 1)).Recency);
        Assert.Equal(1, model.Score(new RfmInput(99, 1, 1)).Recency);
        Assert.Equal(5, model.Score(new RfmInput(1, 100, 1000)).Frequency);
    }

    [Fact]
    public void Values_beyond_the_population_clamp_to_the_end_scores()
    {
        var model = Uniform();

        var s = model.Score(new RfmInput(-5, 1_000_000, double.MaxValue));

        Assert.Equal((5, 5, 5), (s.Recency, s.Frequency, s.Monetary));
        Assert.Equal(RfmModel.Champions, s.Segment);
    }

    [Fact]
    public void Tied_values_share_a_score()
    {
        var model = RfmModel.Fit(Enumerable.Range(0, 100).Select(i => new RfmInput(i, i < 70 ? 1 : 2 + i % 3, 10)));

        Assert.Equal(1, model.Score(new RfmInput(1, 1, 10)).Frequency);
        Assert.Equal(1, model.Score(new RfmInput(1, 1, 10)).Monetary);
    }

    [Fact]
    public void An_empty_population_scores_without_failing()
    {
        var s = RfmModel.Fit([]).Score(new RfmInput(3, 2, 10));

        Assert.InRange(s.Recency, 1, 5);
        Assert.InRange(s.Frequency, 1, 5);
    }

    [Theory]
    [InlineData(5, 5, RfmModel.Champions)]
    [InlineData(4, 4, RfmModel.Champions)]
    [InlineData(3, 5, RfmModel.Loyal)]
    [InlineData(5, 3, RfmModel.Loyal)]
    [InlineData(5, 1, RfmModel.Potential)]
    [InlineData(4, 2, RfmModel.Potential)]
    [InlineData(3, 2, RfmModel.Hibernating)]
    [InlineData(2, 1, RfmModel.Hibernating)]
    [InlineData(2, 5, RfmModel.AtRisk)]
    [InlineData(1, 3, RfmModel.AtRisk)]
    [InlineData(1, 1, RfmModel.Lost)]
    [InlineData(1, 2, RfmModel.Lost)]
    public void The_segment_table_names_each_recency_and_frequency(int r, int f, string segment) =>
        Assert.Equal(segment, RfmModel.SegmentOf(r, f));

    [Fact]
    public void Every_score_pair_has_exactly_one_named_segment()
    {
        var named = from r in Enumerable.Range(1, 5) from f in Enumerable.Range(1, 5) select RfmModel.SegmentOf(r, f);

        Assert.All(named, s => Assert.Contains(s, RfmModel.Segments));
        Assert.Equal(RfmModel.Segments.Order(), named.Distinct().Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => RfmModel.SegmentOf(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RfmModel.SegmentOf(3, 6));
    }

    [Fact]
    public void Non_purchasers_have_no_rfm_input()
    {
        var numeric = new float[ProfileFeatures.NumericNames.Count];
        Assert.Null(RfmInput.Of(new FeatureSample("u", DateTimeOffset.UnixEpoch, numeric, [])));

        numeric[1] = 3; numeric[3] = 2; numeric[4] = 50;
        Assert.Equal(new RfmInput(3, 2, 50), RfmInput.Of(new FeatureSample("u", DateTimeOffset.UnixEpoch, numeric, [])));
    }
}
