using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;

namespace DmpActors.Engine.Models;

/// <summary>
/// The coordinator's bounded sample of what entities report: a uniform reservoir of feature samples, each labelled
/// once a later sample of the same user decides its labels (<see cref="SampleLabels"/>). Memory is bounded by the
/// capacity: only samples in the reservoir are indexed.
/// </summary>
public sealed class LiveSamples(int capacity, LabelHorizons horizons, Random random)
{
    private sealed class Entry(FeatureSample sample)
    {
        public FeatureSample Sample { get; } = sample;
        public TrainingLabels? Labels { get; set; }
    }

    private readonly Reservoir<Entry> _reservoir = new(capacity, random);
    private readonly Dictionary<string, List<Entry>> _unlabelled = new(StringComparer.Ordinal);

    public int Count => _reservoir.Count;
    public long Seen => _reservoir.Seen;
    public int Labelled { get; private set; }

    public void Offer(FeatureSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (_unlabelled.TryGetValue(sample.UserId, out var pending))
        {
            pending.RemoveAll(e =>
            {
                e.Labels = SampleLabels.Join(e.Sample, sample, horizons);
                if (e.Labels is not null) Labelled++;
                return e.Labels is not null;
            });
            if (pending.Count == 0) _unlabelled.Remove(sample.UserId);
        }

        var entry = new Entry(sample);
        if (!_reservoir.Offer(entry, out var evicted)) return;
        if (evicted is not null)
        {
            if (evicted.Labels is not null) Labelled--;
            else if (_unlabelled.TryGetValue(evicted.Sample.UserId, out var list) && list.Remove(evicted) && list.Count == 0)
                _unlabelled.Remove(evicted.Sample.UserId);
        }

        if (!_unlabelled.TryGetValue(sample.UserId, out var mine)) _unlabelled[sample.UserId] = mine = [];
        mine.Add(entry);
    }

    /// <summary>What a training run reads now: every sample, and the labelled ones as rows.</summary>
    public TrainingSet Snapshot()
    {
        var entries = _reservoir.Snapshot();
        return new TrainingSet(
            entries.Select(e => e.Sample).ToArray(),
            entries.Where(e => e.Labels is not null).Select(e => new TrainingRow(e.Sample, e.Labels!)).ToArray());
    }
}
