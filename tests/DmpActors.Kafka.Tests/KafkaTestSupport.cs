using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using DmpActors.Kafka.Embedded;
using DmpActors.Kafka.Settings;

namespace DmpActors.Kafka.Tests;

internal static class KafkaTestSupport
{
    private static int _counter;

    public static string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 14, 60)];

    public static EmbeddedKafkaBroker StartBroker(int brokers = 1) =>
        EmbeddedKafkaBroker.Start(new EmbeddedBrokerOptions { ListenAddress = "127.0.0.1:0", Brokers = brokers });

    public static ConsumerSettings Consumer(EmbeddedKafkaBroker broker, string group) =>
        new ConsumerSettings(broker.BootstrapServers, group).WithClientId(group);

    public static IProducer<byte[]?, byte[]> Producer(EmbeddedKafkaBroker broker) =>
        new ProducerSettings(broker.BootstrapServers).WithLinger(TimeSpan.FromMilliseconds(2)).CreateProducer();

    /// <summary>Produces "{i}" values (key = partition-independent id) to explicit partitions round-robin and waits for all acks.</summary>
    public static void Produce(EmbeddedKafkaBroker broker, string topic, int partitions, int count, int payloadBytes = 0, int startAt = 0)
    {
        using var producer = Producer(broker);
        var errors = 0;
        var padding = payloadBytes > 0 ? new string('x', payloadBytes) : "";
        for (var i = startAt; i < startAt + count; i++)
        {
            var value = Encoding.UTF8.GetBytes(payloadBytes > 0 ? $"{i}|{padding}" : i.ToString());
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, i % partitions),
                        new Message<byte[]?, byte[]> { Value = value },
                        r => { if (r.Error.IsError) Interlocked.Increment(ref errors); });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        if (producer.Flush(TimeSpan.FromSeconds(60)) != 0) throw new TimeoutException("produce did not complete");
        if (errors > 0) throw new InvalidOperationException($"{errors} deliveries failed");
    }

    public static int ValueOf(ConsumeResult<byte[]?, byte[]> record)
    {
        var s = Encoding.UTF8.GetString(record.Message.Value);
        var bar = s.IndexOf('|');
        return int.Parse(bar < 0 ? s : s[..bar]);
    }

    public static async Task AwaitConditionAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"Timed out after {timeout}: {because}");
            await Task.Delay(20);
        }
    }

    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string file, string args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} did not exit; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string? FindOnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, exe)).FirstOrDefault(File.Exists);
}
