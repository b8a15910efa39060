using System.Runtime.InteropServices;
using System.Text;

namespace DmpActors.Kafka.Embedded;

/// <summary>
/// The few librdkafka mock-cluster entry points we call, bound to the very librdkafka module that
/// Confluent.Kafka loaded (on Debian that is the bundled centos8 build because the default one
/// needs libsasl2.so.3), so both sides share one copy of the library.
/// </summary>
internal sealed class MockClusterNative
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr ConfNew();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int ConfSet(IntPtr conf, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, StringBuilder errstr, UIntPtr errstrSize);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr KafkaNew(int type, IntPtr conf, StringBuilder errstr, UIntPtr errstrSize);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void KafkaDestroy(IntPtr rk);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr ClusterNew(IntPtr rk, int brokers);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr ClusterBootstraps(IntPtr mc);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void ClusterDestroy(IntPtr mc);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int TopicCreate(IntPtr mc, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replication);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int BrokerOp(IntPtr mc, int brokerId);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int BrokerSetRtt(IntPtr mc, int brokerId, int rttMs);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void PushErrorsArray(IntPtr mc, short apiKey, UIntPtr count, int[] errors);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void GroupRebalanceDelay(IntPtr mc, int delayMs);

    private static readonly Lazy<MockClusterNative> Shared = new(() => new MockClusterNative(LoadLibrdkafka()));

    private readonly ConfNew _confNew;
    private readonly ConfSet _confSet;
    private readonly KafkaNew _kafkaNew;
    private readonly KafkaDestroy _kafkaDestroy;
    private readonly ClusterNew _clusterNew;
    private readonly ClusterBootstraps _clusterBootstraps;
    private readonly ClusterDestroy _clusterDestroy;
    private readonly TopicCreate _topicCreate;
    private readonly BrokerOp _brokerDown;
    private readonly BrokerOp _brokerUp;
    private readonly BrokerSetRtt _brokerSetRtt;
    private readonly PushErrorsArray _pushErrors;
    private readonly GroupRebalanceDelay _groupRebalanceDelay;

    private MockClusterNative(IntPtr lib)
    {
        T Bind<T>(string name) where T : Delegate =>
            Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, name));

        _confNew = Bind<ConfNew>("rd_kafka_conf_new");
        _confSet = Bind<ConfSet>("rd_kafka_conf_set");
        _kafkaNew = Bind<KafkaNew>("rd_kafka_new");
        _kafkaDestroy = Bind<KafkaDestroy>("rd_kafka_destroy");
        _clusterNew = Bind<ClusterNew>("rd_kafka_mock_cluster_new");
        _clusterBootstraps = Bind<ClusterBootstraps>("rd_kafka_mock_cluster_bootstraps");
        _clusterDestroy = Bind<ClusterDestroy>("rd_kafka_mock_cluster_destroy");
        _topicCreate = Bind<TopicCreate>("rd_kafka_mock_topic_create");
        _brokerDown = Bind<BrokerOp>("rd_kafka_mock_broker_set_down");
        _brokerUp = Bind<BrokerOp>("rd_kafka_mock_broker_set_up");
        _brokerSetRtt = Bind<BrokerSetRtt>("rd_kafka_mock_broker_set_rtt");
        // The varargs rd_kafka_mock_push_request_errors cannot be called portably from .NET; the
        // _array variant (librdkafka >= 1.7) takes the same arguments as a plain array.
        _pushErrors = Bind<PushErrorsArray>("rd_kafka_mock_push_request_errors_array");
        _groupRebalanceDelay = Bind<GroupRebalanceDelay>("rd_kafka_mock_group_initial_rebalance_delay_ms");
    }

    public static MockClusterNative Instance => Shared.Value;

    /// <summary>Path of the librdkafka module in use, for diagnostics.</summary>
    public static string? LoadedPath { get; private set; }

    public (IntPtr Rk, IntPtr Cluster) CreateCluster(int brokers)
    {
        var errstr = new StringBuilder(512);
        var conf = _confNew();
        // The handle only hosts the mock cluster; it never connects anywhere, so keep it quiet.
        _confSet(conf, "log_level", "3", errstr, (UIntPtr)errstr.Capacity);
        var rk = _kafkaNew(0 /* RD_KAFKA_PRODUCER */, conf, errstr, (UIntPtr)errstr.Capacity);
        if (rk == IntPtr.Zero)
            throw new InvalidOperationException($"rd_kafka_new failed: {errstr}");
        var mc = _clusterNew(rk, brokers);
        if (mc == IntPtr.Zero)
        {
            _kafkaDestroy(rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        return (rk, mc);
    }

    public string Bootstraps(IntPtr mc) => Marshal.PtrToStringUTF8(_clusterBootstraps(mc)) ?? "";

    public void Destroy(IntPtr rk, IntPtr mc)
    {
        _clusterDestroy(mc);
        _kafkaDestroy(rk);
    }

    public int CreateTopic(IntPtr mc, string topic, int partitions, int replication) => _topicCreate(mc, topic, partitions, replication);

    public int SetBrokerDown(IntPtr mc, int brokerId) => _brokerDown(mc, brokerId);

    public int SetBrokerUp(IntPtr mc, int brokerId) => _brokerUp(mc, brokerId);

    public int SetRtt(IntPtr mc, int brokerId, int rttMs) => _brokerSetRtt(mc, brokerId, rttMs);

    public void PushRequestErrors(IntPtr mc, short apiKey, int[] errors) => _pushErrors(mc, apiKey, (UIntPtr)errors.Length, errors);

    public void SetGroupInitialRebalanceDelay(IntPtr mc, int delayMs) => _groupRebalanceDelay(mc, delayMs);

    private static IntPtr LoadLibrdkafka()
    {
        // Make Confluent.Kafka load its librdkafka first (it picks the build that loads here),
        // then attach to that same module; dlopen of an already-loaded path just adds a reference.
        _ = Confluent.Kafka.Library.Version;
        foreach (var path in Candidates())
        {
            if (NativeLibrary.TryLoad(path, out var handle) && NativeLibrary.TryGetExport(handle, "rd_kafka_mock_cluster_new", out _))
            {
                LoadedPath = path;
                return handle;
            }
        }
        throw new DllNotFoundException(
            "Could not find the librdkafka module loaded by Confluent.Kafka (looked in /proc/self/maps and runtimes/*/native next to the application).");
    }

    private static IEnumerable<string> Candidates()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/maps"))
        {
            var loaded = File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var i and >= 0 ? line[i..].Trim() : null)
                .Where(p => p is not null && Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
                .Distinct()
                .ToList();
            foreach (var p in loaded)
                yield return p!;
        }

        var baseDir = AppContext.BaseDirectory;
        var rid = OperatingSystem.IsLinux() ? "linux-" : OperatingSystem.IsMacOS() ? "osx-" : "win-";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var native = Path.Combine(baseDir, "runtimes", rid + arch, "native");
        foreach (var name in new[] { "librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "librdkafka.dylib", "librdkafka.dll" })
        {
            yield return Path.Combine(native, name);
            yield return Path.Combine(baseDir, name);
        }
    }
}
