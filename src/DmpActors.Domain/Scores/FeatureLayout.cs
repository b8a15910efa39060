namespace DmpActors.Domain.Scores;

/// <summary>
/// The fixed vector a model version reads: the numeric features, then one share per vocabulary category, then the
/// share of every other category. The vocabulary is chosen when a model is trained (the categories most users are
/// interested in) and travels with the version, so scoring lays a profile out exactly as training did.
/// </summary>
public sealed record FeatureLayout(IReadOnlyList<string> Categories)
{
    public const int MaxVocabulary = 32;
    public const string OtherCategory = "(other)";

    public int Count => ProfileFeatures.NumericNames.Count + Categories.Count + 1;

    public IReadOnlyList<string> Names =>
        [.. ProfileFeatures.NumericNames, .. Categories.Select(c => $"category_share:{c}"), $"category_share:{OtherCategory}"];

    /// <summary>The categories that appear in the most samples (ties by name), at most <paramref name="max"/>.</summary>
    public static FeatureLayout FromSamples(IEnumerable<FeatureSample> samples, int max = MaxVocabulary)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            foreach (var c in s.Categories) counts[c.Category] = counts.GetValueOrDefault(c.Category) + 1;
        }

        var vocabulary = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(max).Select(kv => kv.Key).OrderBy(c => c, StringComparer.Ordinal).ToArray();
        return new FeatureLayout(vocabulary);
    }

    public float[] Vectorize(FeatureSample sample)
    {
        var v = new float[Count];
        Vectorize(sample, v);
        return v;
    }

    /// <summary>Writes <paramref name="sample"/> into <paramref name="into"/> (length <see cref="Count"/>).</summary>
    public void Vectorize(FeatureSample sample, Span<float> into)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (into.Length != Count) throw new ArgumentException($"expected {Count} values, got {into.Length}", nameof(into));
        var numeric = ProfileFeatures.NumericNames.Count;
        into.Clear();
        sample.Numeric.AsSpan(0, Math.Min(numeric, sample.Numeric.Length)).CopyTo(into);
        foreach (var c in sample.Categories)
        {
            var i = IndexOf(c.Category);
            into[i < 0 ? Count - 1 : numeric + i] += c.Share;
        }
    }

    private int IndexOf(string category)
    {
        for (var i = 0; i < Categories.Count; i++)
        {
            if (string.Equals(Categories[i], category, StringComparison.Ordinal)) return i;
        }

        return -1;
    }
}
