using System.Text.RegularExpressions;
using System.Xml.Linq;
using DmpActors.Deploy.Tests.Support;

namespace DmpActors.Deploy.Tests;

/// <summary>The Dockerfile cannot be built here (no Docker engine): its steps are checked against the repository.</summary>
public sealed partial class DockerfileTests
{
    private static IEnumerable<Dockerfile.Instruction> Build => Dockerfile.Stages[0];

    private static IEnumerable<string[]> Copies(IEnumerable<Dockerfile.Instruction> stage) =>
        stage.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>(verb, project) for every dotnet restore/publish step.</summary>
    private static IEnumerable<(string Verb, string Project, string? Output)> DotnetSteps =>
        Build.Where(i => i.Keyword == "RUN").SelectMany(i => DotnetStep().Matches(i.Arguments))
            .Select(m => (m.Groups["verb"].Value, m.Groups["project"].Value, m.Groups["out"].Success ? m.Groups["out"].Value : null));

    [GeneratedRegex(@"dotnet (?<verb>restore|publish) (?<project>\S+\.csproj)(?:[^&]*?-o (?<out>\S+))?")]
    private static partial Regex DotnetStep();

    [Fact]
    public void Every_path_the_build_copies_exists_and_is_not_excluded_by_dockerignore()
    {
        var sources = Copies(Build).SelectMany(args => args[..^1]).ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source =>
        {
            Assert.True(File.Exists(Repo.Path(source)) || Directory.Exists(Repo.Path(source)), $"{source} does not exist");
            Assert.False(Dockerfile.IsIgnored(source), $"{source} is excluded by .dockerignore");
        });
    }

    [Fact]
    public void Project_files_copied_before_restore_cover_every_project_the_published_ones_reference()
    {
        var copied = Copies(Build).SelectMany(args => args[..^1]).Where(s => s.EndsWith(".csproj", StringComparison.Ordinal))
            .Select(Repo.Path).Select(p => Path.GetFullPath(p)).ToHashSet();
        var published = DotnetSteps.Where(s => s.Verb == "publish").Select(s => s.Project).ToList();

        Assert.Equal(["src/DmpActors.Host/DmpActors.Host.csproj", "src/DmpActors.Cli/DmpActors.Cli.csproj"], published);
        Assert.All(DotnetSteps, step => Assert.True(File.Exists(Repo.Path(step.Project)), $"{step.Project} does not exist"));
        foreach (var project in published)
            Assert.Subset(copied, ProjectClosure(Repo.Path(project)));
    }

    [Fact]
    public void Final_image_is_the_aspnet_runtime_of_the_target_framework_running_the_host_as_non_root()
    {
        var framework = XDocument.Load(Repo.Path("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework["net".Length..];
        var entrypoint = Dockerfile.FinalStage.Single(i => i.Keyword == "ENTRYPOINT").Arguments;

        Assert.StartsWith($"mcr.microsoft.com/dotnet/sdk:{version} ", Build.First().Arguments + " ");
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{version}", Dockerfile.FinalStage[0].Arguments);
        Assert.DoesNotContain(Dockerfile.FinalStageUser(), new[] { "root", "0" });
        Assert.Equal($"[\"dotnet\", \"{AssemblyName("src/DmpActors.Host/DmpActors.Host.csproj")}.dll\"]", entrypoint);
    }

    [Fact]
    public void Final_image_ships_dmpctl_on_the_path_and_the_config_profiles()
    {
        var dmpctlOutput = DotnetSteps.Single(s => s.Verb == "publish" && s.Project == "src/DmpActors.Cli/DmpActors.Cli.csproj").Output;
        var copy = Dockerfile.FinalStage.Single(i => i.Keyword == "COPY" && i.Arguments.Contains($" {dmpctlOutput} ")).Arguments.Split(' ')[^1].TrimEnd('/');
        var path = Dockerfile.FinalStage.Where(i => i.Keyword == "ENV").Select(i => PathVariable().Match(i.Arguments)).Single(m => m.Success).Groups[1].Value;

        Assert.Equal("dmpctl", AssemblyName("src/DmpActors.Cli/DmpActors.Cli.csproj"));
        Assert.Contains(copy, path.Split(':'));
        Assert.Contains(Copies(Build), args => args[0] == "config/");
        Assert.Contains(XDocument.Load(Repo.Path("src/DmpActors.Host/DmpActors.Host.csproj")).Descendants("Content"),
            c => c.Attribute("Include")?.Value == "../../config/*.json" && c.Attribute("CopyToPublishDirectory") is not null);
    }

    [GeneratedRegex("PATH=\"([^\"]+)\"")]
    private static partial Regex PathVariable();

    private static string AssemblyName(string project) =>
        XDocument.Load(Repo.Path(project)).Descendants("AssemblyName").SingleOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

    private static HashSet<string> ProjectClosure(string project)
    {
        var closure = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            if (!closure.Add(current)) continue;
            foreach (var reference in XDocument.Load(current).Descendants("ProjectReference"))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, reference.Attribute("Include")!.Value)));
        }
        return closure;
    }
}
