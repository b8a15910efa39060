namespace DmpActors.Cli.Palettes.Bench;

/// <summary>
/// How <c>dmpctl bench</c> starts the benchmarks program: a built DmpActors.Benchmarks.dll when given, else
/// <c>dotnet run</c> of the project in the repository checkout. It always runs in the repository root when
/// there is one, because the results are written to docs/ there.
/// </summary>
public sealed record BenchLaunch(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public const string SolutionFile = "DmpActors.sln";
    public const string ProjectPath = "benchmarks/DmpActors.Benchmarks";

    /// <summary>Chooses the launch; throws <see cref="BenchLaunchException"/> with what to do when neither a dll nor a checkout is found.</summary>
    /// <param name="searchFrom">Directories to walk up from looking for the repository (current directory first).</param>
    public static BenchLaunch Resolve(string workload, IReadOnlyList<string> forwarded, string? benchDll, string? repo, IEnumerable<string> searchFrom)
    {
        var root = repo is not null ? CheckRepo(repo) : searchFrom.Select(FindRepoAbove).FirstOrDefault(r => r is not null);
        if (benchDll is not null)
        {
            var dll = Path.GetFullPath(benchDll);
            if (!File.Exists(dll)) throw new BenchLaunchException($"--bench-dll {dll} does not exist (build it: dotnet build -c Release {ProjectPath})");
            return new BenchLaunch("dotnet", [dll, workload, .. forwarded], root ?? Directory.GetCurrentDirectory());
        }
        if (root is null)
            throw new BenchLaunchException(
                $"cannot find the DmpActors repository ({SolutionFile}) above the current directory; run dmpctl bench inside a checkout, " +
                "or pass --repo <checkout> or --bench-dll <path to DmpActors.Benchmarks.dll>");
        return new BenchLaunch("dotnet", ["run", "-c", "Release", "--project", Path.Combine(root, ProjectPath), "--", workload, .. forwarded], root);
    }

    public override string ToString() => FileName + " " + string.Join(' ', Arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    private static string CheckRepo(string repo)
    {
        var full = Path.GetFullPath(repo);
        if (!File.Exists(Path.Combine(full, SolutionFile)) || !Directory.Exists(Path.Combine(full, ProjectPath)))
            throw new BenchLaunchException($"--repo {full} is not a DmpActors checkout (no {SolutionFile} and {ProjectPath} there)");
        return full;
    }

    private static string? FindRepoAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)) && Directory.Exists(Path.Combine(dir.FullName, ProjectPath)))
                return dir.FullName;
        return null;
    }
}

public sealed class BenchLaunchException(string message) : Exception(message);
