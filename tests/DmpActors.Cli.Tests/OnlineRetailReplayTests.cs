using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using DmpActors.Cli.Tests.Support;
using Xunit.Abstractions;

namespace DmpActors.Cli.Tests;

/// <summary>The real Online Retail file replayed through dmpctl, Kafka and the engine gives every customer the
/// profile a direct computation from the CSV gives (docs/import.md).</summary>
public sealed class OnlineRetailReplayTests(ITestOutputHelper log)
{
    /// <summary>Where the dataset lives beside the repository (never copied into it); DMP_ONLINE_RETAIL overrides.</summary>
    internal static string? DatasetPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DMP_ONLINE_RETAIL") is { Length: > 0 } given) return given;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "datasets", "online-retail", "online_retail.csv.gz");
                if (File.Exists(candidate)) return candidate;
            }

            return null;
        }
    }

    public sealed class OnlineRetailFactAttribute : FactAttribute
    {
        public OnlineRetailFactAttribute()
        {
            if (DatasetPath is null) Skip = "the Online Retail dataset is not beside the repository (../shared/datasets/online-retail/) and DMP_ONLINE_RETAIL is not set";
        }
    }

    private sealed record Expected(int Orders, decimal Revenue, string? LastOrder, DateTimeOffset? LastAt, long Refunds, string? Country, DateTimeOffset FirstSeen);

    [OnlineRetailFact]
    public async Task A_full_replay_gives_every_customer_the_orders_revenue_first_invoice_last_purchase_refunds_and_country_of_the_csv()
    {
        var expected = DirectComputation(DatasetPath!);
        Assert.Equal(4372, expected.Count);
        await using var node = await LiveNode.StartFirstAsync();

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "import", "online-retail", DatasetPath!, "--bootstrap", node.BrokerAddress, "--max-rate");

        Assert.True(exitCode == 0, error + output);
        log.WriteLine(output);
        Assert.Contains("imported 25,900 invoices", output);

        using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", LiveNode.AdminKey);
        var pending = new ConcurrentDictionary<string, string>(expected.ToDictionary(e => e.Key, _ => "not read yet"));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!pending.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Parallel.ForEachAsync(pending.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (customer, ct) =>
            {
                var mismatch = await CompareAsync(http, customer, expected[customer], ct);
                if (mismatch is null) pending.TryRemove(customer, out _);
                else pending[customer] = mismatch;
            });
            if (!pending.IsEmpty) await Task.Delay(1000);
        }

        Assert.True(pending.IsEmpty, $"{pending.Count} customers differ from the CSV, e.g. " +
            string.Join("; ", pending.Take(5).Select(p => $"{p.Key}: {p.Value}")));
    }

    private static async Task<string?> CompareAsync(HttpClient http, string customer, Expected want, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/v1/profiles/retail-{customer}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return "no profile yet";
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var p = doc.RootElement;
        var orders = p.GetProperty("orders").GetInt32();
        var revenue = p.GetProperty("total_revenue").GetDecimal();
        var last = p.GetProperty("last_purchase");
        var lastOrder = last.ValueKind == JsonValueKind.Null ? null : last.GetProperty("order_id").GetString();
        DateTimeOffset? lastAt = last.ValueKind == JsonValueKind.Null ? null : last.GetProperty("at").GetDateTimeOffset();
        var refunds = p.GetProperty("event_counts").TryGetProperty("custom", out var c) ? c.GetInt64() : 0;
        var country = p.GetProperty("traits").TryGetProperty("country", out var t) ? t.GetString() : null;
        var firstSeen = p.GetProperty("first_seen").GetDateTimeOffset();
        var got = new Expected(orders, revenue, lastOrder, lastAt, refunds, country, firstSeen);
        return got == want ? null : $"got {got}, CSV says {want}";
    }

    /// <summary>Per customer, straight from the file: sale invoices with at least one line of positive quantity and
    /// non-negative price, their revenue, the latest one (ties: the higher invoice number), cancellations, last country,
    /// and the time of their first invoice of any kind (the first event the profile saw).</summary>
    private static Dictionary<string, Expected> DirectComputation(string path)
    {
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var sales = new Dictionary<string, (string Customer, DateTime Local, decimal Revenue)>();
        var refunds = new Dictionary<string, HashSet<string>>();
        var countries = new Dictionary<string, (DateTime Local, string Country)>();
        var firsts = new Dictionary<string, DateTime>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        reader.ReadLine();
        var invoiceTimes = new Dictionary<string, DateTime>();
        while (reader.ReadLine() is { } line)
        {
            var f = SplitCsv(line);
            var (invoice, quantity, price, customer, country) = (f[0], int.Parse(f[3], CultureInfo.InvariantCulture),
                decimal.Parse(f[5], CultureInfo.InvariantCulture), f[6], f[7]);
            if (customer.Length == 0) continue;
            var local = invoiceTimes.TryGetValue(invoice, out var first) ? first : invoiceTimes[invoice] = DateTime.ParseExact(f[4], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            if (!countries.TryGetValue(customer, out var known) || known.Local <= local) countries[customer] = (local, country);
            if (!firsts.TryGetValue(customer, out var earliest) || local < earliest) firsts[customer] = local;
            if (invoice.StartsWith('C'))
            {
                (refunds.TryGetValue(customer, out var set) ? set : refunds[customer] = []).Add(invoice);
                continue;
            }

            if (quantity <= 0 || price < 0) continue;
            var sale = sales.TryGetValue(invoice, out var seen) ? seen : (Customer: customer, Local: local, Revenue: 0m);
            sales[invoice] = sale with { Revenue = sale.Revenue + price * quantity };
        }

        var byCustomer = sales.ToLookup(s => s.Value.Customer);
        return countries.Keys.ToDictionary(c => c, c =>
        {
            var mine = byCustomer[c].ToList();
            var last = mine.OrderByDescending(s => s.Value.Local).ThenByDescending(s => s.Key, StringComparer.Ordinal).FirstOrDefault();
            DateTimeOffset? lastAt = mine.Count == 0 ? null : new DateTimeOffset(last.Value.Local, london.GetUtcOffset(last.Value.Local));
            return new Expected(mine.Count, mine.Sum(s => s.Value.Revenue), mine.Count == 0 ? null : last.Key, lastAt,
                refunds.GetValueOrDefault(c)?.Count ?? 0, countries[c].Country, new DateTimeOffset(firsts[c], london.GetUtcOffset(firsts[c])));
        });
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted && ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
            else if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }

        fields.Add(current.ToString());
        return [.. fields];
    }
}
