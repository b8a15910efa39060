using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// A tombstone (an id merged into another profile, docs/identity.md) forwards its events to the survivor: it
/// answers the ingest once the survivor has applied them, and counts them as seen only once the survivor has saved
/// them, so a crash at any step neither loses an event nor counts it twice.
/// </summary>
public sealed partial class UserActor
{
    private Forwarding? _forwarding; // created when the first event is forwarded

    /// <summary>True when the event is not for this profile: a tombstone drops its replays and forwards the rest.</summary>
    private bool Redirected(ApplyEvent apply)
    {
        if (_identity.MergedInto is not { } survivor) return false;

        var (dedupe, outcome) = Tombstone.Admit(_profile.Dedupe, apply.Event, apply.Position);
        if (!ReferenceEquals(dedupe, _profile.Dedupe))
        {
            _profile = _profile with { Dedupe = dedupe };
            _versions.Current++;
        }
        if (outcome != ApplyOutcome.Applied)
        {
            Ack(Sender, apply.DeliveryId, outcome);
            return true;
        }
        // Without a position: the survivor's replay marks describe its own partition only; this tombstone's marks
        // recognise replays of events routed by the old id.
        var id = (_forwarding ??= new Forwarding(survivor)).Add(survivor, Sender, apply.DeliveryId, apply.Event.EventId, apply.Position);
        Users.Tell(new ApplyEvent(survivor, apply.Event, null, id));
        IdentityMetrics.EventsForwarded.Add(1);
        return true;
    }

    private void ForwardedEventApplied(EventApplied applied)
    {
        if (_forwarding is null || !_forwarding.TryComplete(applied, out var pending)) return;
        Ack(pending.ReplyTo, pending.DeliveryId, applied.Outcome, applied.Detail, applied.Exception);
    }

    /// <summary>A checkpoint that covers forwarded events is durable only when the survivor has saved them too.</summary>
    private void FlushSurvivorThenSelf(IActorRef requester, long checkpointId)
    {
        var (marks, incarnation, version) = _forwarding!.TakeUnmarked();
        Users.Ask<ProfileFlushed>(new FlushProfile(_forwarding.Survivor, incarnation, version, checkpointId), _settings.MergeTimeout)
            .PipeTo(Self,
                success: flushed => new SurvivorFlushed(requester, checkpointId, flushed.Succeeded ? null : flushed.Error, marks),
                failure: ex => new SurvivorFlushed(requester, checkpointId, ex.Message, marks));
    }

    private void SurvivorFlushedThenSelf(SurvivorFlushed flushed)
    {
        if (flushed.Error is not null)
        {
            flushed.Requester.Tell(new ProfileFlushed(_userId, flushed.CheckpointId, false, "survivor: " + flushed.Error));
            throw new IdentityProtocolException("the survivor could not make forwarded events durable; reloading");
        }
        // Only now may the forwarded events count as seen here: the survivor's copy of them is durable.
        _profile = _profile with { Dedupe = Tombstone.Mark(_profile.Dedupe, flushed.Marks) };
        _versions.Current++;
        if (_versions.Dirty) FlushWhenSaved(flushed.Requester, flushed.CheckpointId);
        else flushed.Requester.Tell(new ProfileFlushed(_userId, flushed.CheckpointId, true, null));
    }

    private sealed record SurvivorFlushed(IActorRef Requester, long CheckpointId, string? Error, List<(string EventId, EventPosition? Position)> Marks);
}
