using DmpActors.Traffic;

namespace DmpActors.Cli.Loadgen;

/// <summary>Where loadgen sends: a Kafka topic, or the HTTP ingest endpoint.</summary>
public abstract record LoadgenTarget
{
    private LoadgenTarget() { }

    public sealed record Kafka(string Bootstrap, string Topic) : LoadgenTarget
    {
        public override string ToString() => $"kafka {Bootstrap} topic {Topic}";
    }

    /// <param name="ApiKey">Sent as Authorization: Bearer; null sends none (an embedded node in open mode).</param>
    public sealed record Http(Uri EventsEndpoint, int Concurrency, string? ApiKey = null) : LoadgenTarget
    {
        public override string ToString() => $"http {EventsEndpoint}";
    }
}

/// <param name="Rate">Events per second; 0 means as fast as the target accepts.</param>
/// <param name="Duration">Stop after this long, or</param>
/// <param name="Events">stop after this many events; neither means run until interrupted.</param>
/// <param name="GroundTruthPath">Where to write the traffic's ground truth before sending, if anywhere.</param>
public sealed record LoadgenSettings(
    double Rate,
    TimeSpan? Duration,
    long? Events,
    TrafficOptions Traffic,
    LoadgenTarget Target,
    TimeSpan ConnectTimeout,
    string? GroundTruthPath = null);
