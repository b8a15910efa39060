using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using DmpActors.Domain.Recommendations;
using DmpActors.Domain.Scores;
using DmpActors.Ml.Training;

namespace DmpActors.Engine.Models;

/// <param name="ReservoirCapacity">Feature samples kept for training (uniform over all offered).</param>
/// <param name="RetrainEvery">Scheduled retraining of every model; zero for on demand only.</param>
public sealed record ModelCoordinatorSettings(int ReservoirCapacity, TimeSpan RetrainEvery, string JournalPluginId, string SnapshotPluginId)
{
    public const string Topic = "dmp.models";

    public LabelHorizons Horizons { get; init; } = LabelHorizons.Default;
    public TrainerOptions Trainer { get; init; } = new();
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public int Seed { get; init; } = 1;

    /// <summary>Labelled recommendation rows kept for the CTR model (uniform over all offered).</summary>
    public int CtrRowCapacity { get; init; } = 200_000;
}

/// <summary>
/// The cluster's one model coordinator (a cluster singleton): keeps the live sample, trains off the actor's thread
/// on a schedule and on demand, journals every version and promotion, and publishes the catalogue to every node.
/// </summary>
public sealed class ModelCoordinator : ReceivePersistentActor, IWithTimers
{
    private sealed record TrainingFinished(IReadOnlyList<TrainedModel> Models, IReadOnlyList<string> Skipped, bool Shadow, TimeSpan Took);
    private sealed record TrainingFailed(Exception Error);
    private sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }

    private readonly ModelCoordinatorSettings _settings;
    private readonly LiveSamples _samples;
    private readonly Reservoir<CtrRow> _ctrRows;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ModelCatalogue _catalogue = ModelCatalogue.Empty;
    private bool _training;

    public ModelCoordinator(ModelCoordinatorSettings settings)
    {
        _settings = settings;
        _samples = new LiveSamples(settings.ReservoirCapacity, settings.Horizons, new Random(settings.Seed));
        _ctrRows = new Reservoir<CtrRow>(settings.CtrRowCapacity, new Random(settings.Seed + 1));
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<ModelVersionAdded>(e => _catalogue = ModelVersions.Add(_catalogue, e.Version));
        Recover<ModelPromoted>(e => _catalogue = ModelVersions.Promote(_catalogue, e.Name, e.Version));

        Command<OfferSample>(m => _samples.Offer(m.Sample));
        Command<OfferCtrRows>(m =>
        {
            foreach (var row in m.Rows) _ctrRows.Offer(row, out _);
        });
        Command<GetModelCatalogue>(m =>
        {
            if (_catalogue.Revision > m.KnownRevision) Sender.Tell(ModelVersions.ForNodes(_catalogue));
        });
        Command<RetrainModels>(m => Sender.Tell(StartTraining(m.Names.Count == 0 ? ModelNames.All : m.Names, m.Shadow)));
        Command<Tick>(_ => StartTraining(ModelNames.All, shadow: false));
        Command<TrainingFinished>(Finished);
        Command<TrainingFailed>(m =>
        {
            _training = false;
            _log.Error(m.Error, "Model training failed");
        });
        Command<PromoteModel>(m => Promote(m.Name, m.Version));
        Command<RollbackModel>(m =>
        {
            if (ModelVersions.RollbackTarget(_catalogue, m.Name) is { } target) Promote(m.Name, target);
            else Sender.Tell(new ModelCommandResult(false, $"{m.Name} has no earlier version to roll back to"));
        });
    }

    public override string PersistenceId => "model-coordinator";

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ModelCoordinatorSettings settings) => Akka.Actor.Props.Create(() => new ModelCoordinator(settings));

    protected override void OnReplaySuccess()
    {
        if (_settings.RetrainEvery > TimeSpan.Zero) Timers.StartPeriodicTimer("retrain", Tick.Instance, _settings.RetrainEvery);
        Publish();
    }

    private RetrainAccepted StartTraining(IReadOnlyList<string> names, bool shadow)
    {
        var unknown = names.Where(n => !ModelNames.All.Contains(n)).ToArray();
        var set = _samples.Snapshot() with { CtrRows = _ctrRows.Snapshot() };
        if (unknown.Length > 0)
            return new RetrainAccepted(false, names, set.Samples.Count, set.Rows.Count, $"unknown model {string.Join(", ", unknown)}; known: {string.Join(", ", ModelNames.All)}");
        if (_training) return new RetrainAccepted(false, names, set.Samples.Count, set.Rows.Count, "training is already running");
        _training = true;
        var options = _settings.Trainer;
        Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var (models, skipped) = ModelTrainer.Train(set, names, options);
            return new TrainingFinished(models, skipped, shadow, clock.Elapsed);
        }).PipeTo(Self, failure: ex => new TrainingFailed(ex));
        return new RetrainAccepted(true, names, set.Samples.Count, set.Rows.Count, "training started");
    }

    private void Finished(TrainingFinished m)
    {
        _training = false;
        foreach (var reason in m.Skipped) _log.Info("Model not trained: {0}", reason);
        if (m.Models.Count == 0) return;
        var now = _settings.Clock.GetUtcNow();
        var added = new List<ModelVersionAdded>();
        var next = _catalogue;
        foreach (var trained in m.Models)
        {
            var version = ModelVersions.NewVersion(next, trained, m.Shadow, now);
            next = ModelVersions.Add(next, version);
            added.Add(new ModelVersionAdded(version));
        }

        PersistAll(added, e =>
        {
            _catalogue = ModelVersions.Add(_catalogue, e.Version);
            if (ReferenceEquals(e, added[^1]))
            {
                _log.Info("Trained {0} in {1:F0} ms", string.Join(", ", added.Select(a => $"{a.Version.Name} v{a.Version.Version}")), m.Took.TotalMilliseconds);
                Publish();
            }
        });
    }

    private void Promote(string name, int version)
    {
        if (ModelVersions.CannotPromote(_catalogue, name, version) is { } why)
        {
            Sender.Tell(new ModelCommandResult(false, why));
            return;
        }

        var replyTo = Sender;
        Persist(new ModelPromoted(name, version), e =>
        {
            _catalogue = ModelVersions.Promote(_catalogue, e.Name, e.Version);
            Publish();
            replyTo.Tell(new ModelCommandResult(true, $"{name} v{version} is active"));
        });
    }

    private void Publish() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(ModelCoordinatorSettings.Topic, ModelVersions.ForNodes(_catalogue)));
}
