using DmpActors.Engine.Models;
using DmpActors.Ml.Training;

namespace DmpActors.Host.Api;

/// <summary>The JSON of /v1/models (docs/models.md#http-api), built from the coordinator's description.</summary>
public static class ModelViews
{
    /// <param name="Scored">Users this version scored, summed over the nodes' latest tallies.</param>
    /// <param name="DisagreementRate">For a shadow (or a once-shadowed) version: the share of the users it scored on which it
    /// disagreed with the active version; null when it never ran beside one.</param>
    public sealed record VersionView(int Version, string Status, DateTimeOffset TrainedAt, IReadOnlyDictionary<string, double> Metrics,
        int TrainingRows, double DurationMs, long Scored, long Disagreed, double? DisagreementRate);

    /// <param name="Active">The version that scores users (null before the first training).</param>
    /// <param name="Shadow">The version scored beside it, if any.</param>
    public sealed record ModelView(string Name, string Kind, int? Active, int? Shadow, IReadOnlyList<VersionView> Versions);

    public sealed record TrainingView(string State, long? Run, IReadOnlyList<string>? Models, bool? Shadow, int? Samples, int? LabelledRows,
        DateTimeOffset? StartedAt);

    public sealed record OutcomeView(long Run, IReadOnlyList<string> Models, bool Shadow, int Samples, int LabelledRows, DateTimeOffset StartedAt,
        DateTimeOffset FinishedAt, double DurationMs, IReadOnlyList<VersionRef> Versions, IReadOnlyList<string> Skipped, string? Error);

    public sealed record VersionRef(string Name, int Version, string Status);

    public sealed record SamplesView(long Seen, int Kept, int Labelled);

    public sealed record ListView(long Revision, SamplesView Samples, TrainingView Training, OutcomeView? LastTraining, IReadOnlyList<ModelView> Models);

    public static string Wire(ModelStatus status) => status.ToString().ToLowerInvariant();

    public static ListView List(ModelsDescription d) => new(d.Catalogue.Revision, new SamplesView(d.SamplesSeen, d.Samples, d.LabelledRows),
        Training(d.Running), d.Last is null ? null : Outcome(d.Last), [.. ModelNames.All.Select(n => Model(d, n))]);

    public static TrainingView Training(TrainingRun? run) => run is null
        ? new TrainingView("idle", null, null, null, null, null, null)
        : new TrainingView("running", run.Run, run.Names, run.Shadow, run.Samples, run.LabelledRows, run.StartedAt);

    public static OutcomeView Outcome(TrainingOutcome o) => new(o.Run, o.Names, o.Shadow, o.Samples, o.LabelledRows, o.StartedAt, o.FinishedAt,
        o.DurationMs, [.. o.Versions.Select(v => new VersionRef(v.Name, v.Version, Wire(v.Status)))], o.Skipped, o.Error);

    public static ModelView Model(ModelsDescription d, string name)
    {
        var versions = d.Catalogue.Versions.Where(v => v.Name == name).OrderBy(v => v.Version).ToList();
        var counts = d.Counts.Where(c => c.Name == name).ToDictionary(c => c.Version);
        return new ModelView(name, ModelNames.KindOf(name).ToString().ToLowerInvariant(),
            versions.FirstOrDefault(v => v.Status == ModelStatus.Active)?.Version,
            versions.FirstOrDefault(v => v.Status == ModelStatus.Shadow)?.Version,
            [.. versions.Select(v =>
            {
                var c = counts.GetValueOrDefault(v.Version);
                double? rate = c is { Disagreed: > 0 } || (c is { Scored: > 0 } && v.Status == ModelStatus.Shadow) ? c.Disagreed / (double)c.Scored : null;
                return new VersionView(v.Version, Wire(v.Status), v.TrainedAt, v.Metrics, v.Rows, v.DurationMs, c?.Scored ?? 0, c?.Disagreed ?? 0, rate);
            })]);
    }
}
