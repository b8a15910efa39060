namespace DmpActors.Engine.Hosting;

/// <summary>The segment backfill (Dmp:Backfill): how hard the walk over every stored user may push the entities
/// after a definition changes, so ingest keeps flowing (docs/segments.md#backfill).</summary>
public sealed class BackfillOptions
{
    /// <summary>False: a changed definition applies to each user from their next event only (no walk).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Users whose re-evaluation is awaited at once, on all nodes together.</summary>
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Users re-evaluated per second at the most.</summary>
    public double UsersPerSecond { get; set; } = 1000;

    /// <summary>Stored ids read from the profile store per query.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>How long one user's re-evaluation may take before it is counted failed and the walk goes on.</summary>
    public TimeSpan EvaluationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate(OptionsProblems problems)
    {
        problems.Check(MaxInFlight is >= 1 and <= 10_000, "MaxInFlight", $"must be 1..10000, got {MaxInFlight}");
        problems.Check(UsersPerSecond > 0 && double.IsFinite(UsersPerSecond), "UsersPerSecond", $"must be a positive number, got {UsersPerSecond}");
        problems.Check(PageSize is >= 1 and <= 100_000, "PageSize", $"must be 1..100000, got {PageSize}");
        problems.Check(EvaluationTimeout > TimeSpan.Zero, "EvaluationTimeout", "must be positive");
    }
}
