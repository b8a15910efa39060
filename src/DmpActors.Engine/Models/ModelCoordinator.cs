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
    private TrainingRun? _running;
    private TrainingOutcome? _last;
    private long _runs;
    private readonly List<IActorRef> _awaiting = [];
    private readonly Dictionary<string, IReadOnlyList<ShadowCount>> _tallies = new(StringComparer.Ordinal);

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
        Command<RetrainModels>(m =>
        {
            var accepted = StartTraining(m.Names.Count == 0 ? ModelNames.All : m.Names, m.Shadow);
            if (accepted.Started && m.ReplyWhenTrained) _awaiting.Add(Sender);
            else Sender.Tell(accepted);
        });
        Command<Tick>(_ => StartTraining(ModelNames.All, shadow: false));
        Command<TrainingFinished>(Finished);
        Command<TrainingFailed>(m =>
        {
            _log.Error(m.Error, "Model training failed");
            var error = m.Error is AggregateException a ? a.Flatten().InnerExceptions[0] : m.Error;
            Ended([], [], error.Message);
        });
        Command<DescribeModels>(_ => Sender.Tell(Describe()));
        Command<ScoringTally>(m => _tallies[m.Node] = m.Counts);
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
        if (_running is { } running)
            return new RetrainAccepted(false, names, set.Samples.Count, set.Rows.Count, $"training is already running (run {running.Run})");
        _running = new TrainingRun(++_runs, names, shadow, set.Samples.Count, set.Rows.Count, _settings.Clock.GetUtcNow());
        var options = _settings.Trainer;
        Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var (models, skipped) = ModelTrainer.Train(set, names, options);
            return new TrainingFinished(models, skipped, shadow, clock.Elapsed);
        }).PipeTo(Self, failure: ex => new TrainingFailed(ex));
        return new RetrainAccepted(true, names, set.Samples.Count, set.Rows.Count, "training started", _running.Run);
    }

    /// <summary>Records how the run ended and answers whoever waits for it.</summary>
    private void Ended(IReadOnlyList<ModelVersion> versions, IReadOnlyList<string> skipped, string? error)
    {
        if (_running is not { } run) return;
        _last = new TrainingOutcome(run.Run, run.Names, run.Shadow, run.Samples, run.LabelledRows, run.StartedAt, _settings.Clock.GetUtcNow(),
            [.. versions.Select(v => v with { Payload = null })], skipped, error);
        _running = null;
        foreach (var waiter in _awaiting) waiter.Tell(_last);
        _awaiting.Clear();
    }

    private ModelsDescription Describe()
    {
        var counts = _tallies.Values.SelectMany(c => c).GroupBy(c => (c.Name, c.Version))
            .Select(g => new ShadowCount(g.Key.Name, g.Key.Version, g.Sum(c => c.Scored), g.Sum(c => c.Disagreed))).ToList();
        var catalogue = _catalogue with { Versions = [.. _catalogue.Versions.Select(v => v with { Payload = null })] };
        return new ModelsDescription(catalogue, _running, _last, _samples.Seen, _samples.Count, _samples.Labelled, counts);
    }

    private void Finished(TrainingFinished m)
    {
        foreach (var reason in m.Skipped) _log.Info("Model not trained: {0}", reason);
        if (m.Models.Count == 0)
        {
            Ended([], m.Skipped, null);
            return;
        }
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
                Ended([.. added.Select(a => a.Version)], m.Skipped, null);
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
