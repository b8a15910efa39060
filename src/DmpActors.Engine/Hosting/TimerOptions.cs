namespace DmpActors.Engine.Hosting;

/// <summary>The timer service (Dmp:Timers): how often the store's due-time index is read, and how hard waking the due
/// users may push the entities.</summary>
public sealed class TimerOptions
{
    /// <summary>False: timers are kept and indexed, but only a user's next event runs what is due.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the due-time index is read (wall time); a timer runs at most about this late.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Due timers read per poll.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Users whose timers are awaited at once.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How long one user's timers may take before the service gives up on it for <see cref="RetryAfter"/>.</summary>
    public TimeSpan FireTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a user whose due timer did not run (it failed, timed out, or the entity had none due) is left
    /// alone before the index's row is tried again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(PollInterval > TimeSpan.Zero, "PollInterval", "must be positive");
        problems.Check(BatchSize is >= 1 and <= 100_000, "BatchSize", $"must be 1..100000, got {BatchSize}");
        problems.Check(MaxInFlight is >= 1 and <= 10_000, "MaxInFlight", $"must be 1..10000, got {MaxInFlight}");
        problems.Check(FireTimeout > TimeSpan.Zero, "FireTimeout", "must be positive");
        problems.Check(RetryAfter >= TimeSpan.Zero, "RetryAfter", "must not be negative");
    }
}
