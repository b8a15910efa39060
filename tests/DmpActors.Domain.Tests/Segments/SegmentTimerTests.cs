using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using DmpActors.Domain.Segments;
using DmpActors.Domain.Segments.Evaluation;
using Given = DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Segments;

public class SegmentTimerTests
{
    private static readonly SegmentSet Active =
        SegmentSet.Build(1, [new SegmentVersion("active", 1, "last_seen within 1d", false, Given.T0)]);

    [Fact]
    public void An_event_schedules_the_recheck_at_the_instant_time_alone_changes_the_outcome_and_the_timer_exits_then()
    {
        // Given a user seen at T0, who entered "last_seen within 1d"
        var entered = ProfileReducer.Apply(UserProfile.Empty("u1"), Given.PageView("e1"), null, ProfileRules.Default, Active);
        var profile = entered.Profile;
        var t0 = profile.LastSeen!.Value;

        // Then the segments module scheduled its re-check at T0 + 1d, as an effect and in the profile
        Assert.Equal(t0.AddDays(1), profile.Timers.Find("segments", SegmentsModule.RecheckKey));
        Assert.Contains(new ScheduleTimer("segments", SegmentsModule.RecheckKey, t0.AddDays(1)),
            Enumerable.Range(0, entered.Effects.Count).Select(i => entered.Effects[i]));

        // When the timer fires at its instant
        var timer = profile.Timers.DueAt(t0.AddDays(1)).Single();
        var fired = FeaturePipeline.Profile.Fire(profile, timer, t0.AddDays(1), ProfileRules.Default, Active);

        // Then the user left, caused by the timer, the event count is untouched, and nothing is left to re-check
        var exit = fired.Profile.Segments.Outbox[^1];
        Assert.Equal((SegmentChangeKind.Exited, SegmentCause.Timer(t0.AddDays(1)), t0.AddDays(1)), (exit.Kind, exit.Cause, exit.At));
        Assert.Equal(profile.EventsApplied, fired.Profile.EventsApplied);
        Assert.Equal(0, fired.Profile.Timers.Count);
    }

    [Fact]
    public void Timers_are_kept_one_per_module_and_key_and_unchanged_sets_are_the_same_instance()
    {
        var at = Given.T0;
        var timers = UserTimers.Empty.With("segments", "recheck", at).With("campaigns", "b", at.AddMinutes(1)).With("campaigns", "a", at.AddMinutes(2));

        Assert.Equal([("campaigns", "a"), ("campaigns", "b"), ("segments", "recheck")], timers.All.Select(t => (t.Module, t.Key)));
        Assert.Same(timers, timers.With("segments", "recheck", at));
        Assert.Same(timers, timers.With("nobody", "x", null));
        Assert.Equal(at.AddMinutes(1), timers.With("segments", "recheck", null).Next);
        Assert.Equal([("segments", "recheck"), ("campaigns", "b")], timers.DueAt(at.AddMinutes(1)).Select(t => (t.Module, t.Key)));
        var full = Enumerable.Range(0, UserTimers.MaxTimers).Aggregate(UserTimers.Empty, (t, i) => t.With("m", $"k{i}", at));
        Assert.Throws<InvalidOperationException>(() => full.With("m", "one-more", at));
    }
}
