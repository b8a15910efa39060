using DmpActors.Domain.Recommendations;
using DmpActors.Domain.Scores;
using DmpActors.Engine.Serialization;
using DmpActors.Ml.Training;

namespace DmpActors.Engine.Models;

public enum ModelStatus
{
    /// <summary>Scores users; its scores are the model's.</summary>
    Active,

    /// <summary>Scored beside the active version, its disagreement counted, its scores used by nothing.</summary>
    Shadow,

    /// <summary>Kept for rollback and history; not scored.</summary>
    Retired,
}

/// <summary>One trained version of a named model. <see cref="Payload"/> is the model's stored form
/// (<see cref="ModelCodec"/>); published catalogues carry it only for active and shadow versions.</summary>
public sealed record ModelVersion(string Name, int Version, ModelKind Kind, ModelStatus Status, DateTimeOffset TrainedAt,
    IReadOnlyDictionary<string, double> Metrics, int Rows, double DurationMs, byte[]? Payload);

/// <summary>Every version the coordinator knows, at a revision that grows with each change.</summary>
public sealed record ModelCatalogue(long Revision, IReadOnlyList<ModelVersion> Versions) : IWireMessage
{
    public static ModelCatalogue Empty { get; } = new(0, []);
}

/// <summary>A user entity's feature sample for the coordinator's reservoir.</summary>
public sealed record OfferSample(FeatureSample Sample) : IWireMessage;

/// <summary>Labelled rows of recommendations a node served, for the CTR model's reservoir.</summary>
public sealed record OfferCtrRows(IReadOnlyList<CtrRow> Rows) : IWireMessage;

/// <summary>Train the named models now (all when empty); as shadows when <see cref="Shadow"/> and an active
/// version exists. Answered with <see cref="RetrainAccepted"/> at once; the versions follow when training ends. With
/// <see cref="ReplyWhenTrained"/> a run that starts is answered once, when it ends, with its <see cref="TrainingOutcome"/>
/// (a refusal still with <see cref="RetrainAccepted"/>).</summary>
public sealed record RetrainModels(IReadOnlyList<string> Names, bool Shadow = false, bool ReplyWhenTrained = false) : IWireMessage;

/// <param name="Run">The run's number on this coordinator (0 when refused).</param>
public sealed record RetrainAccepted(bool Started, IReadOnlyList<string> Names, int Samples, int LabelledRows, string Message, long Run = 0)
    : IWireMessage;

/// <summary>Make a version the active one (a shadow after review, or a retired one back).</summary>
public sealed record PromoteModel(string Name, int Version) : IWireMessage;

/// <summary>Make the previous active version active again.</summary>
public sealed record RollbackModel(string Name) : IWireMessage;

public sealed record ModelCommandResult(bool Ok, string Message) : IWireMessage;

/// <summary>Asks for the catalogue; answered only when the coordinator's is newer than <see cref="KnownRevision"/>
/// (so nodes can ask often without moving models around).</summary>
public sealed record GetModelCatalogue(long KnownRevision = -1) : IWireMessage
{
    public static GetModelCatalogue Instance { get; } = new();
}

/// <summary>Journal events of the coordinator.</summary>
public sealed record ModelVersionAdded(ModelVersion Version) : IWireMessage;

public sealed record ModelPromoted(string Name, int Version) : IWireMessage;
