using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Identity;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Erasure (GDPR, docs/identity.md): the writer deletes the rows of the user and of every id merged into it in one
/// transaction and quarantines the ids; the entity then forgets everything and stays <see cref="Erased"/>, refusing
/// events, until the quarantine ends.
/// </summary>
public sealed partial class UserActor
{
    private DateTimeOffset? _quarantinedUntil;

    private bool Quarantined => _quarantinedUntil is { } until && until > _settings.Clock.GetUtcNow();

    private void Erase(EraseUser request)
    {
        if (_identity.MergedInto is { } survivor)
        {
            Users.Forward(request with { UserId = survivor });
            return;
        }
        var replyTo = Sender;
        if (Quarantined || (_isolation is null && _profile.EventsApplied == 0 && _identity.Merged.Count == 0))
        {
            replyTo.Tell(new UserErased(_userId, 0, null));
            return;
        }
        var ids = _identity.AllIds(_userId);
        _writer.Tell(new EraseProfiles(ids, _settings.Clock.GetUtcNow() + _settings.QuarantinePeriod));
        var erasing = new ErasingIds(ids, replyTo);
        Become(m => Erasing(m, erasing));
    }

    /// <summary>The erasure transaction is running; everything else waits.</summary>
    private void Erasing(object message, ErasingIds erasing)
    {
        var (ids, replyTo) = erasing;
        switch (message)
        {
            case ProfilesErased erased:
                var until = erased.QuarantineUntil;
                foreach (var merged in ids.Skip(1)) Users.Tell(new EnterQuarantine(merged, until));
                Forget(until);
                IdentityMetrics.Erasures.Add(ids.Count);
                Log.Info("Erased a profile and {0} merged ids; quarantined until {1:O}", ids.Count - 1, until);
                replyTo.Tell(new UserErased(_userId, ids.Count, until));
                break;
            case StoreRequestFailed failed:
                replyTo.Tell(new Status.Failure(failed.Cause));
                Settle();
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    /// <summary>Drops everything held about the user; the store rows are already gone (or were never there).</summary>
    private void Forget(DateTimeOffset until)
    {
        _profile = UserProfile.Empty(_userId);
        _identity = IdentityState.Empty;
        _quarantinedUntil = until;
        _versions.Erased();
        if (_forwarding is not null) _forwarding.Unmarked = null;
        EndIsolation();
        Settle();
    }

    /// <summary>Erased and in quarantine: events are dropped, merges refused; once the quarantine ends the id may
    /// start a new, empty profile, so the entity is active again.</summary>
    private void Erased(object message)
    {
        if (!Quarantined)
        {
            _quarantinedUntil = null;
            Become(Active);
            Active(message);
            return;
        }
        switch (message)
        {
            case ApplyEvent apply:
                DropQuarantined(apply);
                break;
            case ApplyEvents batch:
                ApplyBatch(batch, DropQuarantined);
                break;
            case LockForMerge request:
                Sender.Tell(new LockRefused(request.LockId, MergeRefusalReason.Erased));
                break;
            case EraseUser:
                Sender.Tell(new UserErased(_userId, 0, null));
                break;
            default:
                Active(message);
                break;
        }
    }

    private void DropQuarantined(ApplyEvent apply)
    {
        IdentityMetrics.EventsQuarantined.Add(1);
        Ack(Sender, apply.DeliveryId, ApplyOutcome.Quarantined);
    }

    private sealed record ErasingIds(IReadOnlyList<string> Ids, IActorRef ReplyTo);
}
