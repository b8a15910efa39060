using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using DmpActors.Engine.Observability;
using DmpActors.Kafka.Observability;

namespace DmpActors.Engine.Tests.Observability;

public sealed partial class OperationsDocTests
{
    private sealed record Row(string Name, string Prometheus, string Type, string Unit);

    [Fact]
    public void Every_dmp_instrument_is_documented_in_operations_md_with_its_prometheus_name_type_and_unit()
    {
        // Given the instruments our meters actually register, and the rows of docs/operations.md
        var instruments = RegisteredInstruments();
        var rows = DocumentedRows();

        // Then each instrument has a row that says the truth about it
        Assert.NotEmpty(instruments);
        foreach (var instrument in instruments)
        {
            Assert.True(rows.TryGetValue(instrument.Name, out var row), $"{instrument.Name} is not documented in docs/operations.md");
            Assert.Equal(PrometheusName(instrument), row.Prometheus);
            Assert.Equal(KindOf(instrument), row.Type);
            Assert.Equal(instrument.Unit, row.Unit);
        }
        // And no row documents a dmp.* instrument that does not exist
        var stale = rows.Keys.Where(n => n.StartsWith("dmp.", StringComparison.Ordinal)).Except(instruments.Select(i => i.Name));
        Assert.Empty(stale);
    }

    private static IReadOnlyList<Instrument> RegisteredInstruments()
    {
        // Touch the holders so their static instruments exist before the listener starts.
        _ = DmpMetrics.Meter;
        _ = KafkaMetrics.MeterName;
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(KafkaMetrics).TypeHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(global::DmpActors.Engine.Profiles.IdentityMetrics).TypeHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(global::DmpActors.Engine.Recommendations.RecommendationMetrics).TypeHandle);
        var found = new List<Instrument>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (DmpMetrics.MeterNames.Contains(instrument.Meter.Name)) lock (found) found.Add(instrument);
        };
        listener.Start();
        return found.DistinctBy(i => i.Name).ToList();
    }

    private static Dictionary<string, Row> DocumentedRows()
    {
        var text = File.ReadAllText(FindDoc());
        return TableRow().Matches(text)
            .Select(m => new Row(m.Groups["name"].Value, m.Groups["prom"].Value, m.Groups["type"].Value.Trim(), m.Groups["unit"].Value))
            .ToDictionary(r => r.Name);
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return KindOf(instrument) switch
        {
            "counter" => name + "_total",
            "histogram" => name + "_" + instrument.Unit switch { "ms" => "milliseconds", "s" => "seconds", var u => u },
            _ => name,
        };
    }

    private static string KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>)) return "counter";
        if (generic == typeof(Histogram<>)) return "histogram";
        if (generic == typeof(UpDownCounter<>) || generic == typeof(ObservableUpDownCounter<>)) return "updowncounter";
        if (generic == typeof(ObservableGauge<>) || generic == typeof(Gauge<>)) return "gauge";
        throw new InvalidOperationException($"unexpected instrument kind {type}");
    }

    private static string FindDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "operations.md");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("docs/operations.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<name>[a-z_.]+)` \| `(?<prom>[a-z_]+)` \| (?<type>[a-z]+) \| `(?<unit>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
