namespace DmpActors.Domain.Modules;

/// <summary>
/// A feature module that schedules timers (<see cref="ScheduleTimer"/>) and is called back when one is due, without an
/// event: "inactive 14 days" turning true, a purchase leaving a window, "no purchase within 30 minutes of a cart".
/// Pure like <see cref="IFeatureModule.OnEvent"/>: the time it is called at is the argument, never a clock.
/// </summary>
public interface ITimerModule : IFeatureModule
{
    /// <summary>Called once the timer is due (<paramref name="now"/> ≥ its due time). The fired timer is gone unless the
    /// module schedules the key again.</summary>
    void OnTimer(ref ModuleContext ctx, UserTimer timer, DateTimeOffset now);
}
