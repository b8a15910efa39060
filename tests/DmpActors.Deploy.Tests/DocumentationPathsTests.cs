using System.Text.RegularExpressions;
using DmpActors.Deploy.Tests.Support;

namespace DmpActors.Deploy.Tests;

/// <summary>Every file or folder the documentation names is in the repository, so a reader never follows a dead path.</summary>
public sealed partial class DocumentationPathsTests
{
    /// <summary>A repository path such as src/DmpActors.Engine/Hosting/DmpOptions.cs or tests/DmpActors.Host.Tests/.</summary>
    [GeneratedRegex(@"(?<![\w./-])(?:src|tests|benchmarks|deploy)/[\w./*-]+")]
    private static partial Regex RepositoryPath();

    /// <summary>A Markdown file named in text or in a link: durability.md, ../README.md, docs/benchmarks/NAME.md.</summary>
    [GeneratedRegex(@"(?<![\w./-])[\w./-]+\.md\b")]
    private static partial Regex MarkdownFile();

    [GeneratedRegex(@"\[[^\]]*\]\(")]
    private static partial Regex LinkText();

    /// <summary>NAME (or *) in a file name stands for each of a family of files (docs/benchmarks/NAME.md: one per
    /// workload; UserActor*.cs: one class in partial files).</summary>
    private const string Placeholder = "NAME";

    private static IReadOnlyList<string> DocumentPaths =>
        [.. Directory.GetFiles(Repo.Path("docs"), "*.md").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(Repo.Root, f)), "README.md"];

    public static TheoryData<string> Documents() => new(DocumentPaths);

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_source_test_benchmark_and_deploy_path_a_document_names_exists(string document)
    {
        var missing = RepositoryPath().Matches(Repo.Read(document)).Select(m => m.Value.TrimEnd('.', '/')).Distinct()
            .Where(path => !Exists(Repo.Root, path)).ToList();

        Assert.True(missing.Count == 0, $"{document} names paths that are not in the repository: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_markdown_file_a_document_names_is_beside_it_or_at_the_repository_root(string document)
    {
        var beside = Path.GetDirectoryName(Repo.Path(document))!;

        // A link's text is only its label ([identity.md](docs/identity.md)): its target is what must exist.
        var text = LinkText().Replace(Repo.Read(document), "(");
        var missing = MarkdownFile().Matches(text).Select(m => m.Value).Distinct()
            .Where(file => !IsTestOutput(file) && !Exists(beside, file) && !Exists(Repo.Root, file)).ToList();

        Assert.True(missing.Count == 0, $"{document} names Markdown files that are not in the repository: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_documents_name_source_and_test_files()
    {
        var named = DocumentPaths.SelectMany(d => RepositoryPath().Matches(Repo.Read(d))).Select(m => m.Value).ToList();

        Assert.Contains(named, p => p.StartsWith("src/", StringComparison.Ordinal));
        Assert.Contains(named, p => p.StartsWith("tests/", StringComparison.Ordinal));
    }

    /// <summary>What the suite writes under TestResults/ (the reliability table) exists only after a run, never in a clone.</summary>
    private static bool IsTestOutput(string path) => path.StartsWith("TestResults/", StringComparison.Ordinal);

    private static bool Exists(string directory, string path)
    {
        var full = Path.GetFullPath(Path.Combine(directory, path));
        var pattern = Path.GetFileName(full).Replace(Placeholder, "*");
        if (!pattern.Contains('*')) return File.Exists(full) || Directory.Exists(full);
        var folder = Path.GetDirectoryName(full)!;
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, pattern).Any();
    }
}
