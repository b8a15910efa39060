using System.Text.RegularExpressions;

namespace DmpActors.Deploy.Tests.Support;

/// <summary>The repository's Dockerfile as instructions (continuations joined, comments dropped), by stage.</summary>
public static partial class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);

    public static IReadOnlyList<IReadOnlyList<Instruction>> Stages { get; } = Parse(Repo.Read("Dockerfile"));

    public static IReadOnlyList<Instruction> FinalStage => Stages[^1];

    public static string FinalStageUser() => FinalStage.Last(i => i.Keyword == "USER").Arguments;

    /// <summary>.dockerignore patterns, each as "dir/" (anywhere when it starts with **/).</summary>
    public static IReadOnlyList<string> Ignored { get; } =
        Repo.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    public static bool IsIgnored(string path)
    {
        var normalized = path.TrimStart('.', '/').TrimEnd('/') + "/";
        return Ignored.Any(pattern => pattern.StartsWith("**/", StringComparison.Ordinal)
            ? ("/" + normalized).Contains("/" + pattern[3..], StringComparison.Ordinal)
            : normalized.StartsWith(pattern.TrimEnd('/') + "/", StringComparison.Ordinal));
    }

    private static List<IReadOnlyList<Instruction>> Parse(string text)
    {
        var logical = ContinuedLine().Replace(text, " ").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
        var stages = new List<IReadOnlyList<Instruction>>();
        List<Instruction>? current = null;
        foreach (var line in logical)
        {
            var space = line.IndexOf(' ');
            var instruction = new Instruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction.Keyword == "FROM") stages.Add(current = []);
            (current ?? throw new InvalidOperationException("Dockerfile does not start with FROM")).Add(instruction);
        }
        return stages;
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuedLine();
}
