using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Segment changes: the segments module decides them into the profile's outbox; once a checkpoint made them durable
/// they are published (Kafka, then the in-process hub), and only then are the flushes that cover their events
/// answered, so the ingest commits those offsets behind the changes. An acknowledged change leaves the outbox; one
/// published again after a crash has the same id.
/// </summary>
public sealed partial class UserActor
{
    private IReadOnlyList<SegmentChange>? _savingOutbox; // the outbox as of the save in flight
    private IReadOnlyList<SegmentChange> _unpublished = []; // durable, not yet acknowledged
    private bool _publishing;

    private bool OutboxPending => _publishing || _unpublished.Count > 0;

    private static readonly KeyValuePair<string, object?> Entered = new("kind", "entered"), Exited = new("kind", "exited"),
        Live = new("shadow", false), InShadow = new("shadow", true);

    /// <summary>Re-evaluates every segment of the node's current set without an event (a backfill's request).</summary>
    private void EvaluateSegments(EvaluateSegments request)
    {
        var set = _settings.Segments.Current;
        if (_profile.EventsApplied == 0 || _identity.MergedInto is not null)
        {
            Sender.Tell(new SegmentsEvaluated(_userId, set.Revision, 0)); // nobody to evaluate here
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var result = SegmentEvaluator.Evaluate(_profile.Segments, set, _profile, SegmentCause.Evaluation(set.Revision),
            _settings.Clock.GetUtcNow(), change: null, recheckAt: null);
        DmpMetrics.SegmentEvaluationDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Count(result.Published, result.ShadowEntered, result.ShadowExited);
        if (!ReferenceEquals(result.Memberships, _profile.Segments))
        {
            _profile = _profile with { Segments = result.Memberships };
            _versions.Current++;
        }
        Schedule(new Domain.Modules.ScheduleTimer(SegmentsModule.Instance.Name, SegmentsModule.RecheckKey, result.Recheck));

        var reply = new SegmentsEvaluated(_userId, set.Revision, result.Published.Count + result.ShadowEntered + result.ShadowExited);
        if (!_versions.Dirty && !OutboxPending) Sender.Tell(reply);
        else FlushWhenSaved(Sender, request.Revision, reply);
    }

    private static void Count(IReadOnlyList<SegmentChange> published, int shadowEntered, int shadowExited)
    {
        foreach (var change in published) DmpMetrics.SegmentChanges.Add(1, change.Kind == SegmentChangeKind.Entered ? Entered : Exited, Live);
        if (shadowEntered > 0) DmpMetrics.SegmentChanges.Add(shadowEntered, Entered, InShadow);
        if (shadowExited > 0) DmpMetrics.SegmentChanges.Add(shadowExited, Exited, InShadow);
    }

    private void SegmentsChanged(SegmentsChanged changed) => Count(changed.Published, changed.ShadowEntered, changed.ShadowExited);

    /// <summary>What the store holds is durable: a loaded outbox was decided by an earlier life and is sent now.</summary>
    private void OutboxLoaded()
    {
        _unpublished = _profile.Segments.Outbox;
        PublishOutbox();
    }

    /// <summary>The save in flight is durable: its outbox (less what was acknowledged meanwhile) is ready to publish.</summary>
    private void OutboxSaved()
    {
        if (_savingOutbox is { Count: > 0 } saved)
        {
            var still = _profile.Segments.Outbox.Select(c => c.ChangeId).ToHashSet(StringComparer.Ordinal);
            var known = _unpublished.Select(c => c.ChangeId).ToHashSet(StringComparer.Ordinal);
            _unpublished = [.. _unpublished, .. saved.Where(c => still.Contains(c.ChangeId) && !known.Contains(c.ChangeId))];
        }

        _savingOutbox = null;
        PublishOutbox();
    }

    private void PublishOutbox()
    {
        if (_publishing || _unpublished.Count == 0) return;
        _publishing = true;
        var batch = _unpublished;
        _settings.SegmentChanges.PublishAsync(batch).PipeTo(Self,
            success: () => new OutboxPublished(batch, null),
            failure: e => new OutboxPublished(batch, e.GetBaseException().Message));
    }

    private void Published(OutboxPublished published)
    {
        _publishing = false;
        if (published.Error is { } error)
        {
            Log.Warning("Segment changes of {0} were not acknowledged by Kafka ({1}); they stay in the outbox and are sent again",
                LogRedaction.UserRef(_userId), error);
            AnswerFlushes($"segment changes not acknowledged by Kafka: {error}");
            if (_versions.Stopping) StopWhenClean(); // the outbox is durable: the next life sends it
            else Timers.StartSingleTimer("outbox-retry", RetryOutbox.Instance, _settings.RetryDelay);
            return;
        }

        var ids = published.Changes.Select(c => c.ChangeId).ToHashSet(StringComparer.Ordinal);
        _unpublished = _unpublished.Where(c => !ids.Contains(c.ChangeId)).ToArray();
        var left = _profile.Segments.WithoutPublished(ids);
        if (!ReferenceEquals(left, _profile.Segments))
        {
            _profile = _profile with { Segments = left };
            _versions.Current++; // saved with the next checkpoint; until then a restart sends them again, same ids
        }

        if (_unpublished.Count > 0) PublishOutbox();
        else AnswerFlushes(error: null);
        if (_versions.Stopping) StopWhenClean();
    }

    private sealed record OutboxPublished(IReadOnlyList<SegmentChange> Changes, string? Error);

    private sealed record RetryOutbox
    {
        public static readonly RetryOutbox Instance = new();
    }
}
