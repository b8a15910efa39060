using System.Collections.Concurrent;
using DmpActors.Domain.Scores;
using DmpActors.Domain.Segments;
using DmpActors.Ml.Training;

namespace DmpActors.Engine.Models;

/// <summary>
/// The model versions this node scores with. The node's replica publishes each catalogue from the coordinator;
/// entities read <see cref="Current"/> without a message or a lock. Counts, per model version, how many users it
/// scored here, and per shadow version how often it disagreed with the active one.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>Probabilities further apart than this disagree; clusters and RFM segments disagree when different.</summary>
    public const double ProbabilityTolerance = 0.1;

    private Loaded _current = new(ModelCatalogue.Empty, new Dictionary<string, (ModelVersion, IScoringModel)>(), new Dictionary<string, (ModelVersion, IScoringModel)>());
    private readonly ConcurrentDictionary<(string, int), long> _scored = new();
    private readonly ConcurrentDictionary<(string, int), long> _disagreed = new();

    private sealed record Loaded(ModelCatalogue Catalogue, IReadOnlyDictionary<string, (ModelVersion Version, IScoringModel Model)> Active,
        IReadOnlyDictionary<string, (ModelVersion Version, IScoringModel Model)> Shadow);

    public ModelCatalogue Current => Volatile.Read(ref _current).Catalogue;

    public event Action<ModelCatalogue>? Changed;

    /// <summary>Loads the active and shadow versions of <paramref name="catalogue"/> unless a catalogue of the same or a
    /// later revision is already current; a version this node already loaded is reused, not decoded again.</summary>
    public bool Publish(ModelCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var seen = Volatile.Read(ref _current);
        if (catalogue.Revision <= seen.Catalogue.Revision) return false;
        var known = seen.Active.Values.Concat(seen.Shadow.Values).ToDictionary(m => (m.Version.Name, m.Version.Version), m => m.Model);
        var active = new Dictionary<string, (ModelVersion, IScoringModel)>();
        var shadow = new Dictionary<string, (ModelVersion, IScoringModel)>();
        foreach (var v in catalogue.Versions)
        {
            if (v.Status == ModelStatus.Retired || v.Payload is null) continue;
            var model = known.TryGetValue((v.Name, v.Version), out var m) ? m : ModelCodec.Decode(v.Kind, v.Payload);
            (v.Status == ModelStatus.Active ? active : shadow)[v.Name] = (v, model);
        }

        if (!ReferenceEquals(Interlocked.CompareExchange(ref _current, new Loaded(catalogue, active, shadow), seen), seen)) return Publish(catalogue);
        Changed?.Invoke(catalogue);
        return true;
    }

    /// <summary>The active version of <paramref name="name"/> here, if any.</summary>
    public int? ActiveVersion(string name) => Volatile.Read(ref _current).Active.TryGetValue(name, out var m) ? m.Version.Version : null;

    /// <summary>Scores a user with every active model (and its shadow, for the disagreement count): RFM, scores and
    /// clusters as segment rules read them.</summary>
    public RuleInputs Score(FeatureSample sample)
    {
        var loaded = Volatile.Read(ref _current);
        RfmScores? rfm = null;
        var scores = new Dictionary<string, double>();
        var clusters = new Dictionary<string, int>();
        foreach (var (name, (version, model)) in loaded.Active)
        {
            if (model.Kind == ModelKind.Ctr) continue; // scores served items, not users (see Scoring)
            var value = model.Score(sample);
            _scored.AddOrUpdate((name, version.Version), 1, (_, n) => n + 1);
            if (loaded.Shadow.TryGetValue(name, out var shadow))
            {
                var other = shadow.Model.Score(sample);
                _scored.AddOrUpdate((name, shadow.Version.Version), 1, (_, n) => n + 1);
                if (Disagree(model.Kind, value, other)) _disagreed.AddOrUpdate((name, shadow.Version.Version), 1, (_, n) => n + 1);
            }

            switch (model)
            {
                case RfmScoring r:
                    rfm = r.Rfm(sample);
                    break;
                case { Kind: ModelKind.Clusters }:
                    clusters[name] = (int)value;
                    break;
                default:
                    if (double.IsFinite(value)) scores[name] = value;
                    break;
            }
        }

        return new RuleInputs(rfm, scores, clusters);
    }

    private static bool Disagree(ModelKind kind, double a, double b) => kind switch
    {
        ModelKind.Clusters or ModelKind.Rfm => !a.Equals(b),
        ModelKind.Clv => Math.Abs(a - b) > Math.Max(1, Math.Abs(a)) * ProbabilityTolerance,
        _ => Math.Abs(a - b) > ProbabilityTolerance,
    };

    /// <summary>The active and shadow versions of <paramref name="name"/> here (for models that score other things than
    /// users, such as the CTR model); <see cref="Scored"/> counts what they scored.</summary>
    public ((int Version, IScoringModel Model)? Active, (int Version, IScoringModel Model)? Shadow) Scoring(string name)
    {
        var loaded = Volatile.Read(ref _current);
        return (loaded.Active.TryGetValue(name, out var a) ? (a.Version.Version, a.Model) : null,
            loaded.Shadow.TryGetValue(name, out var s) ? (s.Version.Version, s.Model) : null);
    }

    /// <summary>Counts one thing scored by a version, and for a shadow whether it disagreed with the active version.</summary>
    public void Scored(string name, int version, bool disagreed = false)
    {
        _scored.AddOrUpdate((name, version), 1, (_, n) => n + 1);
        if (disagreed) _disagreed.AddOrUpdate((name, version), 1, (_, n) => n + 1);
    }

    /// <summary>This node's running totals, per version scored here.</summary>
    public IReadOnlyList<ShadowCount> Tally() =>
        [.. _scored.Select(kv => new ShadowCount(kv.Key.Item1, kv.Key.Item2, kv.Value, _disagreed.GetValueOrDefault(kv.Key)))];

    /// <summary>Users scored on this node by a version (active or shadow).</summary>
    public long ScoredBy(string name, int version) => _scored.GetValueOrDefault((name, version));

    /// <summary>Share of the users a shadow version scored here on which it disagreed with the active version.</summary>
    public double DisagreementRate(string name, int version) =>
        ScoredBy(name, version) is var n and > 0 ? _disagreed.GetValueOrDefault((name, version)) / (double)n : 0;
}
