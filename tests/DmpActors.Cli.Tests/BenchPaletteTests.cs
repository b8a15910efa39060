using DmpActors.Cli.Palettes.Bench;

namespace DmpActors.Cli.Tests;

public sealed class BenchPaletteTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"dmpctl-bench-{Guid.NewGuid():N}");

    public BenchPaletteTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A directory shaped like a checkout: the solution file and the benchmarks project folder.</summary>
    private string Checkout()
    {
        var repo = Path.Combine(_root, "repo");
        Directory.CreateDirectory(Path.Combine(repo, BenchLaunch.ProjectPath));
        Directory.CreateDirectory(Path.Combine(repo, "docs", "deep"));
        File.WriteAllText(Path.Combine(repo, BenchLaunch.SolutionFile), "");
        return repo;
    }

    [Fact]
    public void Bench_runs_the_benchmarks_project_of_the_checkout_above_the_current_directory_with_the_workload_options()
    {
        var repo = Checkout();

        var launch = BenchLaunch.Resolve("ysb", ["--loads", "10000,50000", "--quick"], benchDll: null, repo: null,
            [Path.Combine(repo, "docs", "deep"), _root]);

        Assert.Equal("dotnet", launch.FileName);
        Assert.Equal(["run", "-c", "Release", "--project", Path.Combine(repo, BenchLaunch.ProjectPath), "--", "ysb", "--loads", "10000,50000", "--quick"],
            launch.Arguments);
        Assert.Equal(repo, launch.WorkingDirectory);
    }

    [Fact]
    public void Options_dmpctl_does_not_know_are_passed_to_the_workload_after_it()
    {
        var repo = Checkout();
        var parse = Program.BuildRootCommand().Parse(["bench", "ingest", "--events", "200000", "--quick", "--repo", repo, "--pg", "Host=x"]);

        Assert.Empty(parse.Errors);
        var launch = BenchPalette.Plan(parse);

        Assert.Equal(["ingest", "--events", "200000", "--pg", "Host=x", "--quick"], launch.Arguments.SkipWhile(a => a != "--").Skip(1));
    }

    [Fact]
    public void A_built_benchmarks_dll_is_run_with_the_dotnet_host_in_the_checkout()
    {
        var repo = Checkout();
        var dll = Path.Combine(_root, "DmpActors.Benchmarks.dll");
        File.WriteAllText(dll, "");

        var launch = BenchLaunch.Resolve("all", ["--quick"], dll, repo, []);

        Assert.Equal(("dotnet", repo), (launch.FileName, launch.WorkingDirectory));
        Assert.Equal([dll, "all", "--quick"], launch.Arguments);
    }

    [Fact]
    public void A_missing_dll_or_checkout_is_reported_with_what_to_do()
    {
        var missingDll = Assert.Throws<BenchLaunchException>(() => BenchLaunch.Resolve("ysb", [], Path.Combine(_root, "none.dll"), null, []));
        Assert.Contains("dotnet build -c Release benchmarks/DmpActors.Benchmarks", missingDll.Message);

        var noCheckout = Assert.Throws<BenchLaunchException>(() => BenchLaunch.Resolve("ysb", [], null, null, [_root]));
        Assert.Contains("--bench-dll", noCheckout.Message);
    }

    [Fact]
    public async Task A_repo_that_is_not_a_checkout_fails_with_exit_code_3()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("bench", "ysb", "--repo", _root);

        Assert.Equal(BenchPalette.ExitCannotLaunch, exitCode);
        Assert.Contains("is not a DmpActors checkout", error);
    }

    [Fact]
    public void Unknown_workloads_are_rejected_by_the_parser()
    {
        var parse = Program.BuildRootCommand().Parse(["bench", "latencyz"]);

        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public async Task The_benchmark_process_output_and_exit_code_come_back_through_dmpctl()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await BenchPalette.RunAsync(new BenchLaunch("sh", ["-c", "echo table; echo progress >&2; exit 4"], _root),
            output, error, CancellationToken.None);

        Assert.Equal(4, exitCode);
        Assert.Equal("table", output.ToString().Trim());
        Assert.Equal("progress", error.ToString().Trim());
    }
}
