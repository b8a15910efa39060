using DmpActors.Domain.Scores;

namespace DmpActors.Ml.Clustering;

/// <summary>
/// The space behavioural clusters live in: a user's category shares (what they are interested in, each 0–1, summing
/// to 1) and three activity measures (log of 30-day events, of lifetime orders, of 30-day sessions), standardised over
/// the training population and weighted by <see cref="ActivityWeight"/> so interests lead and activity separates
/// users of the same interests.
/// </summary>
public sealed record BehaviourSpace(FeatureLayout Layout, float[] ActivityMeans, float[] ActivityScales)
{
    public const float ActivityWeight = 0.15f;

    private static readonly int[] ActivityFeatures =
    [
        IndexOf("events_30d"), IndexOf("frequency"), IndexOf("sessions_30d"),
    ];

    public int Dimensions => Layout.Categories.Count + 1 + ActivityFeatures.Length;

    private static int IndexOf(string name)
    {
        var names = ProfileFeatures.NumericNames;
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name) return i;
        }

        throw new InvalidOperationException($"no feature {name}");
    }

    public static BehaviourSpace Fit(IReadOnlyList<FeatureSample> samples)
    {
        var layout = FeatureLayout.FromSamples(samples);
        var means = new float[ActivityFeatures.Length];
        var scales = new float[ActivityFeatures.Length];
        for (var j = 0; j < ActivityFeatures.Length; j++)
        {
            var values = samples.Select(s => Activity(s, j)).ToArray();
            var mean = values.Length == 0 ? 0 : values.Average();
            var sd = values.Length == 0 ? 0 : Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            means[j] = (float)mean;
            scales[j] = sd > 1e-6 ? (float)(ActivityWeight / sd) : 0f;
        }

        return new BehaviourSpace(layout, means, scales);
    }

    private static double Activity(FeatureSample s, int j) => Math.Log(1 + Math.Max(0, s.Numeric[ActivityFeatures[j]]));

    public float[] Project(FeatureSample sample)
    {
        var v = new float[Dimensions];
        var numeric = ProfileFeatures.NumericNames.Count;
        var full = Layout.Vectorize(sample);
        var shares = Layout.Categories.Count + 1;
        Array.Copy(full, numeric, v, 0, shares);
        for (var j = 0; j < ActivityFeatures.Length; j++)
            v[shares + j] = (float)(Activity(sample, j) - ActivityMeans[j]) * ActivityScales[j];
        return v;
    }
}
