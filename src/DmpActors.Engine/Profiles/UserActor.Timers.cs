using Akka.Actor;
using Akka.Event;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Segments.Evaluation;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Timers: a module schedules one as an effect (<see cref="ScheduleTimer"/>), the entity keeps it in the profile, and
/// the checkpoint writes it to the store's due-time index with the profile. The node's timer service finds due timers
/// there, live entity or not, and sends <see cref="FireTimers"/>; the entity runs each due timer through its module
/// (<see cref="FeaturePipeline.Fire"/>) at the profile clock's time and carries out what it decides like an event's
/// effects: its segment changes go to the outbox, are saved, then published.
/// </summary>
public sealed partial class UserActor
{
    private UserTimers _indexedTimers = UserTimers.Empty; // the timers the store's index holds, as far as this life knows
    private UserTimers? _savingTimers; // the timers of the save in flight, when they are written with it

    private void Schedule(ScheduleTimer schedule)
    {
        UserTimers timers;
        try
        {
            timers = _profile.Timers.With(schedule.Module, schedule.Key, schedule.DueAt);
        }
        catch (InvalidOperationException e)
        {
            Log.Warning("Timer {0}/{1} of {2} not scheduled: {3}", schedule.Module, schedule.Key, LogRedaction.UserRef(_userId), e.Message);
            return;
        }
        if (ReferenceEquals(timers, _profile.Timers)) return;
        _profile = _profile with { Timers = timers };
        _versions.Current++;
    }

    private void FireTimers()
    {
        var now = _settings.ProfileClock.GetUtcNow();
        var due = _profile.Timers.DueAt(now);
        if (_identity.MergedInto is not null && _profile.Timers.Count > 0)
        {
            // A tombstone runs no modules: its survivor holds the user now.
            _profile = _profile with { Timers = UserTimers.Empty };
            _versions.Current++;
            due = [];
        }

        var changes = 0;
        foreach (var timer in due)
        {
            Domain.Profiles.ApplyResult result;
            try
            {
                result = FeaturePipeline.Profile.Fire(_profile, timer, now, _settings.ProfileRules, _settings.Segments.Current);
            }
            catch (Exception ex)
            {
                // Costs only this timer: it is dropped, and the module schedules again on the user's next event.
                Log.Warning("Timer {0}/{1} of {2} failed and is dropped: {3}", timer.Module, timer.Key, LogRedaction.UserRef(_userId), Describe(ex));
                _profile = _profile with { Timers = _profile.Timers.With(timer.Module, timer.Key, null) };
                _versions.Current++;
                continue;
            }
            DmpMetrics.TimersFired.Add(1, new KeyValuePair<string, object?>("module", timer.Module));
            if (result.SegmentTicks > 0) DmpMetrics.SegmentEvaluationDuration.Record(result.SegmentTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
            _profile = result.Profile;
            _versions.Current++;
            for (var i = 0; i < result.Effects.Count; i++)
                if (result.Effects[i] is SegmentsChanged changed) changes += changed.Published.Count + changed.ShadowEntered + changed.ShadowExited;
            CarryOut(result.Effects);
        }

        var reply = new TimersFired(_userId, due.Count, changes);
        // Answered once the index no longer says these timers are due, so the service does not wake the user again.
        if (!_versions.Dirty && !OutboxPending) Sender.Tell(reply);
        else FlushWhenSaved(Sender, 0, reply);
    }

    /// <summary>The timers to write with a save: only when they differ from what the index holds.</summary>
    private IReadOnlyList<UserTimer>? TimersToSave()
    {
        if (ReferenceEquals(_profile.Timers, _indexedTimers) || _profile.Timers.Equals(_indexedTimers))
        {
            _savingTimers = null;
            return null;
        }
        _savingTimers = _profile.Timers;
        return _profile.Timers.All;
    }

    private void TimersSaved()
    {
        if (_savingTimers is { } saved) _indexedTimers = saved;
        _savingTimers = null;
    }
}
