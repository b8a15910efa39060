using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using DmpActors.Benchmarks.Infra;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// GET /v1/recommendations latency from an open-loop client: request i is due at i / rate and its latency counts from
/// that intended time (coordinated omission charged). The host runs as a separate process with a catalogue and
/// shop history loaded over HTTP first.
/// </summary>
public static class RecommendationsWorkload
{
    public static async Task<int> RunAsync(Args args, string command)
    {
        var rates = args.String("rates") is { } r ? r.Split(',').Select(int.Parse).ToArray() : [500, 2_000];
        var seconds = args.Int("seconds", 10);
        var items = args.Int("items", 2_000);
        var users = args.Int("users", 2_000);
        var events = args.Int("events", 40_000);
        var hostDll = args.String("host-dll") ?? HostProcessTarget.DefaultHostDll();
        args.EnsureAllKnown();

        await using var target = await HostProcessTarget.StartAsync(hostDll);
        var http = target.Http;
        var random = new Random(7);
        for (var i = 0; i < items; i += 500)
        {
            var batch = Enumerable.Range(i, Math.Min(500, items - i)).Select(k => new
            {
                id = $"sku-{k}", title = $"Item {k} {Words[k % Words.Length]} {Words[(k / 7) % Words.Length]}", category = $"cat-{k % 40}",
                price = 5 + k % 100, tags = new[] { Words[k % 13], Words[k % 17] }, available = k % 50 != 0,
            }).ToArray();
            (await http.PostAsJsonAsync("/v1/items", batch)).EnsureSuccessStatusCode();
        }

        var now = DateTimeOffset.UtcNow.AddHours(-2);
        int Zipf() => (int)Math.Min(items - 1, Math.Floor(Math.Pow(random.NextDouble(), 3) * items));
        for (var sent = 0; sent < events; sent += 1_000)
        {
            var body = new StringBuilder("[");
            for (var k = 0; k < 1_000; k++)
            {
                var n = sent + k;
                var user = $"u{n % users}";
                var at = now.AddSeconds(n * 0.1).ToString("O");
                if (k > 0) body.Append(',');
                body.Append(n % 5 == 4
                    ? $$$"""{"event_id":"rb-{{{n}}}","type":"purchase","user_id":"{{{user}}}","timestamp":"{{{at}}}","properties":{"order_id":"o-{{{n}}}","revenue":10,"currency":"EUR","items":[{"item_id":"sku-{{{Zipf()}}}","price":5,"quantity":1},{"item_id":"sku-{{{Zipf()}}}","price":5,"quantity":1}]}}"""
                    : $$$"""{"event_id":"rb-{{{n}}}","type":"product_view","user_id":"{{{user}}}","timestamp":"{{{at}}}","properties":{"item_id":"sku-{{{Zipf()}}}"}}""");
            }

            (await http.PostAsync("/v1/events", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(5)); // ingest and the statistics feed catch up
        for (var i = 0; i < 200; i++) await http.GetAsync($"/v1/recommendations/u{i}?n=10&context=item:sku-{i}"); // warm-up

        var rows = new List<string>();
        var results = new List<object>();
        foreach (var rate in rates)
        {
            var (latencies, failed) = await OpenLoopAsync(http, rate, TimeSpan.FromSeconds(seconds), users, items);
            latencies.Sort();
            double P(double p) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(p * latencies.Count) - 1)];
            Console.WriteLine($"recommendations: {rate:N0} req/s: {latencies.Count:N0} answered, {failed} failed; p50 {P(0.5):0.00} ms, p99 {P(0.99):0.00} ms, p999 {P(0.999):0.00} ms, max {latencies[^1]:0.00} ms");
            rows.Add($"| {rate:N0} | {latencies.Count:N0} | {failed} | {P(0.5):0.00} ms | {P(0.99):0.00} ms | {P(0.999):0.00} ms | {latencies[^1]:0.00} ms |");
            results.Add(new { rate, answered = latencies.Count, failed, p50_ms = P(0.5), p99_ms = P(0.99), p999_ms = P(0.999), max_ms = latencies[^1] });
        }

        var md = Report.Header($"recommendations: GET /v1/recommendations latency, {seconds} s per rate, 1 node", command) + $"""
            - setup: {items:N0} catalogue items over 40 categories (every 50th unavailable) put over HTTP, then {events:N0} events over {users:N0} users (4 views : 1 two-item purchase, Zipf-like item choice) posted to the collector; the host as a separate process (embedded broker, SQLite).
            - request: `GET /v1/recommendations/u<i mod {users}>?n=10&context=item:sku-<random>` — asks the user's entity for the live profile, then blends under the recommender's lock.
            - schedule: open loop, request i due at i / rate; latency = answer time − intended send time (a stalled client is charged). Client and host share the machine's {Environment.ProcessorCount} cores; no ingest runs meanwhile.

            | rate req/s | answered | failed | p50 | p99 | p999 | max |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join(Environment.NewLine, rows)}
            """;
        Console.WriteLine(md);
        Report.Write("recommendations", md, command, new { seconds, items, users, events, loads = results });
        return 0;
    }

    private static readonly string[] Words =
        ["red", "blue", "trail", "running", "leather", "classic", "pro", "mini", "smart", "wool", "cotton", "steel", "glass", "eco", "sport", "home", "travel"];

    private static async Task<(List<double> Latencies, int Failed)> OpenLoopAsync(HttpClient http, int rate, TimeSpan duration, int users, int items)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new List<double>(total);
        var failed = 0;
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        var random = new Random(11);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var path = $"/v1/recommendations/u{i % users}?n=10&context=item:sku-{random.Next(items)}";
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await http.GetAsync(path);
                    var ok = response.IsSuccessStatusCode;
                    var ms = (clock.Elapsed - due).TotalMilliseconds;
                    lock (latencies)
                    {
                        if (ok) latencies.Add(ms);
                        else failed++;
                    }
                }
                catch (Exception)
                {
                    lock (latencies) failed++;
                }
            }));
        }

        await Task.WhenAll(tasks);
        return (latencies, failed);
    }
}
