using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Models;

/// <summary>A training run in progress on the coordinator.</summary>
public sealed record TrainingRun(long Run, IReadOnlyList<string> Names, bool Shadow, int Samples, int LabelledRows, DateTimeOffset StartedAt);

/// <summary>How a training run ended: the versions it added (without payloads), the models it skipped and why (too
/// few samples or labelled rows), or the error that stopped it.</summary>
public sealed record TrainingOutcome(long Run, IReadOnlyList<string> Names, bool Shadow, int Samples, int LabelledRows,
    DateTimeOffset StartedAt, DateTimeOffset FinishedAt, IReadOnlyList<ModelVersion> Versions, IReadOnlyList<string> Skipped, string? Error)
    : IWireMessage
{
    public double DurationMs => (FinishedAt - StartedAt).TotalMilliseconds;
}

/// <summary>Asks the coordinator for <see cref="ModelsDescription"/>.</summary>
public sealed record DescribeModels : IWireMessage
{
    public static DescribeModels Instance { get; } = new();
}

/// <summary>Users a model version scored, and for a shadow how many of them it disagreed on with the active version.</summary>
public sealed record ShadowCount(string Name, int Version, long Scored, long Disagreed);

/// <summary>
/// What the coordinator knows now: every version (payloads left out), the run in progress and the last one, the
/// reservoir's size, and per version the users scored and disagreed on, summed over the nodes' latest tallies.
/// </summary>
public sealed record ModelsDescription(ModelCatalogue Catalogue, TrainingRun? Running, TrainingOutcome? Last, long SamplesSeen,
    int Samples, int LabelledRows, IReadOnlyList<ShadowCount> Counts) : IWireMessage;

/// <summary>A node's running totals of users scored and disagreed on, per version (its replica sends them at an
/// interval; the coordinator keeps the latest per node).</summary>
public sealed record ScoringTally(string Node, IReadOnlyList<ShadowCount> Counts) : IWireMessage;

internal static class ModelWire
{
    public static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(TrainingOutcome)] = "training-outcome.v1",
        [typeof(DescribeModels)] = "describe-models.v1",
        [typeof(ModelsDescription)] = "models-description.v1",
        [typeof(ScoringTally)] = "scoring-tally.v1",
    };

    public static readonly IReadOnlyDictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
}
