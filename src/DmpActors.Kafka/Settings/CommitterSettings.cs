namespace DmpActors.Kafka.Settings;

/// <summary>
/// Offsets are committed in batches closed by whichever comes first: <see cref="MaxBatch"/> offsets
/// or <see cref="MaxInterval"/> since the batch opened.
/// </summary>
public sealed record CommitterSettings
{
    public static CommitterSettings Default { get; } = new();

    public int MaxBatch { get; init; } = 1000;
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Commit batches in flight at once (they are applied in order by each consumer's poll thread).</summary>
    public int Parallelism { get; init; } = 1;

    public CommitterSettings WithMaxBatch(int maxBatch) => this with { MaxBatch = maxBatch };
    public CommitterSettings WithMaxInterval(TimeSpan maxInterval) => this with { MaxInterval = maxInterval };
    public CommitterSettings WithParallelism(int parallelism) => this with { Parallelism = parallelism };
}
