using System.Net;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DmpActors.Kafka.Embedded;

/// <summary>
/// An in-process Kafka cluster for development and tests: librdkafka's mock cluster (real wire
/// protocol: produce, fetch, consumer groups, offset commits; in-memory only) behind a fixed
/// bootstrap address, with fault injection.
/// </summary>
public sealed class EmbeddedKafkaBroker : IAsyncDisposable, IDisposable
{
    // Addresses of the brokers alive in this process, so consumer settings can adapt to the mock's fetch behaviour.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, EmbeddedKafkaBroker> s_live = new(StringComparer.OrdinalIgnoreCase);

    private readonly MockClusterNative _native;
    private readonly IntPtr _rk;
    private readonly IntPtr _cluster;
    private readonly LoopbackForwarder _forwarder;
    private readonly EmbeddedBrokerOptions _options;
    private readonly ILogger _logger;
    private int _disposed;

    private EmbeddedKafkaBroker(EmbeddedBrokerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _native = MockClusterNative.Instance;
        (_rk, _cluster) = _native.CreateCluster(options.Brokers);
        try
        {
            _native.SetGroupInitialRebalanceDelay(_cluster, (int)options.GroupInitialRebalanceDelay.TotalMilliseconds);
            DirectBootstrapServers = _native.Bootstraps(_cluster);
            var firstBroker = LoopbackForwarder.ParseEndPoint(DirectBootstrapServers.Split(',')[0]);
            _forwarder = LoopbackForwarder.Start(options.ListenAddress, () => firstBroker, logger);
            var local = _forwarder.LocalEndPoint;
            BootstrapServers = $"{(local.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : local.Address)}:{local.Port}";
            foreach (var topic in options.Topics)
                CreateTopic(topic.Name, topic.Partitions);
            foreach (var address in Addresses()) s_live[address] = this;
        }
        catch
        {
            _native.Destroy(_rk, _cluster);
            throw;
        }
        _logger.LogInformation("Embedded Kafka broker ({Brokers} brokers) on {Bootstrap} (direct {Direct})",
            options.Brokers, BootstrapServers, DirectBootstrapServers);
    }

    /// <summary>Starts the mock cluster and the fixed-address forwarder.</summary>
    /// <exception cref="InvalidOperationException">The listen address is taken (the message names it).</exception>
    public static EmbeddedKafkaBroker Start(EmbeddedBrokerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Brokers < 1) throw new ArgumentOutOfRangeException(nameof(options), "Brokers must be >= 1");
        return new EmbeddedKafkaBroker(options, logger ?? NullLogger.Instance);
    }

    /// <summary>True when any address of the bootstrap list is an embedded broker alive in this process.</summary>
    public static bool Serves(string? bootstrapServers) =>
        !string.IsNullOrEmpty(bootstrapServers) && !s_live.IsEmpty &&
        bootstrapServers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(s_live.ContainsKey);

    private IEnumerable<string> Addresses()
    {
        yield return BootstrapServers;
        if (_forwarder.LocalEndPoint.Address.Equals(IPAddress.Loopback) || _forwarder.LocalEndPoint.Address.Equals(IPAddress.Any))
            yield return $"localhost:{_forwarder.LocalEndPoint.Port}";
        foreach (var direct in DirectBootstrapServers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            yield return direct;
    }

    /// <summary>The fixed address (forwarded to broker 1); metadata then points clients at the brokers directly.</summary>
    public string BootstrapServers { get; }

    /// <summary>The mock cluster's own comma-separated broker list (ephemeral loopback ports).</summary>
    public string DirectBootstrapServers { get; }

    public int Brokers => _options.Brokers;

    public void CreateTopic(string name, int partitions = 0)
    {
        ThrowIfDisposed();
        var count = partitions > 0 ? partitions : _options.DefaultPartitions;
        var err = (ErrorCode)_native.CreateTopic(_cluster, name, count, Math.Min(_options.Brokers, 3));
        if (err != ErrorCode.NoError)
            throw new KafkaException(err);
    }

    public void SetBrokerDown(int brokerId) => Check(_native.SetBrokerDown(_cluster, brokerId), nameof(SetBrokerDown));

    public void SetBrokerUp(int brokerId) => Check(_native.SetBrokerUp(_cluster, brokerId), nameof(SetBrokerUp));

    public void SetRtt(int brokerId, TimeSpan rtt) => Check(_native.SetRtt(_cluster, brokerId, (int)rtt.TotalMilliseconds), nameof(SetRtt));

    /// <summary>
    /// The next <c>errors.Length</c> requests with this API key (e.g. 0 Produce, 1 Fetch, 8 OffsetCommit)
    /// are answered with these errors, in order, by whichever broker receives them.
    /// </summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ThrowIfDisposed();
        _native.PushRequestErrors(_cluster, apiKey, errors.Select(e => (int)e).ToArray());
    }

    private void Check(int err, string operation)
    {
        ThrowIfDisposed();
        if ((ErrorCode)err != ErrorCode.NoError)
            throw new KafkaException(new Error((ErrorCode)err, $"{operation} failed: {(ErrorCode)err}"));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var address in Addresses()) s_live.TryRemove(new KeyValuePair<string, EmbeddedKafkaBroker>(address, this));
        await _forwarder.DisposeAsync().ConfigureAwait(false);
        _native.Destroy(_rk, _cluster);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
