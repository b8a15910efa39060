using BenchmarkDotNet.Reports;
using DmpActors.Benchmarks.Infra;

namespace DmpActors.Benchmarks.Micro;

/// <summary>Copies BenchmarkDotNet's results (mean, error, ratio to the JsonDocument baseline, allocations) into docs/benchmarks.md.</summary>
public static class MicroReport
{
    public static void Write(IEnumerable<Summary> summaries, string command)
    {
        var rows = new List<string>();
        var results = new List<object>();
        foreach (var summary in summaries)
        {
            var baseline = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
            var baseMean = baseline?.ResultStatistics?.Mean;
            foreach (var report in summary.Reports)
            {
                var stats = report.ResultStatistics;
                if (stats is null) continue;
                var alloc = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                results.Add(new
                {
                    Class = report.BenchmarkCase.Descriptor.Type.Name, Benchmark = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,
                    MeanNs = stats.Mean, StdErrorNs = stats.StandardError, RatioToBaseline = stats.Mean / baseMean, AllocatedBytesPerOp = alloc,
                });
                rows.Add($"| {report.BenchmarkCase.Descriptor.Type.Name} | {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {stats.Mean:N1} ns | ±{stats.StandardError:N1} ns | " +
                         $"{(baseMean is { } b ? (stats.Mean / b).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "-")} | {(alloc is { } a ? $"{a:N0} B" : "-")} |");
            }
        }
        if (rows.Count == 0) return;
        var md = Report.Header("micro (BenchmarkDotNet, ShortRun: 3 warm-ups, 3 iterations)", command) + $"""
            Ratio = mean / mean of `JsonDocument.Parse` of the same 300-byte product_view, measured in the same class run.

            | class | benchmark | mean | std error | ratio to JsonDocument.Parse | allocated / op |
            | --- | --- | ---: | ---: | ---: | ---: |
            {string.Join(Environment.NewLine, rows)}
            """;
        Console.WriteLine(md);
        Report.Write("micro", md, command, results);
    }
}
