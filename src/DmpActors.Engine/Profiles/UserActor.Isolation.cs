using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// A profile that cannot be decoded or written costs only its own user: the entity isolates itself, dead-letters
/// every event for the user (<see cref="ApplyOutcome.Isolated"/>) instead of failing the stream for everyone, and
/// shows up in <see cref="IsolatedProfiles"/>. It is tried again the next time it starts; erasing it ends it.
/// </summary>
public sealed partial class UserActor
{
    private Isolation? _isolation;

    private void Isolate(IsolationKind kind, string reason)
    {
        _isolation = new Isolation(kind, reason);
        _settings.Isolated.Add(_userId, kind, reason);
        Log.Error("Isolated {0} ({1}): {2}; its events go to the dead-letter topic until it is fixed or erased",
            Observability.LogRedaction.UserRef(_userId), IsolatedProfiles.KindCode(kind), reason);
        Settle();
    }

    /// <summary>Erasure is the way out: what cannot be read can still be deleted.</summary>
    private void EndIsolation()
    {
        if (_isolation is null) return;
        _isolation = null;
        _settings.Isolated.Remove(_userId);
    }

    private void Isolated(object message)
    {
        var reason = _isolation!.Reason;
        switch (message)
        {
            case ApplyEvent apply:
                Ack(Sender, apply.DeliveryId, ApplyOutcome.Isolated, $"profile isolated: {reason}");
                break;
            case ApplyEvents batch:
                ApplyBatch(batch, apply => Ack(Sender, apply.DeliveryId, ApplyOutcome.Isolated, $"profile isolated: {reason}"));
                break;
            case FlushProfile flush when flush.Incarnation != _incarnation:
                AnswerEarlierLife(flush);
                break;
            case FlushProfile flush:
                // Nothing was applied in this life: every event went to the dead-letter topic.
                Sender.Tell(new ProfileFlushed(_userId, flush.CheckpointId, true, null));
                break;
            case GetProfile:
                Sender.Tell(new ProfileReply(_userId, null, reason));
                break;
            case GetIdentity:
                Sender.Tell(new Status.Failure(new InvalidOperationException($"profile is isolated: {reason}")));
                break;
            case LockForMerge request:
                Sender.Tell(new LockRefused(request.LockId, MergeRefusalReason.Unavailable));
                break;
            case StopUser:
                _settings.Isolated.Remove(_userId);
                Context.Stop(Self);
                break;
            default:
                if (!IdentityMessage(message)) Unhandled(message);
                break;
        }
    }
}
