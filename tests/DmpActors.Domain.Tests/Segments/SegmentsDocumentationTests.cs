using System.Text;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Segments;

/// <summary>docs/segments.md lists exactly the catalogue's fields. Set DMP_WRITE_DOCS=1 to rewrite its field table
/// from the catalogue.</summary>
public class SegmentsDocumentationTests
{
    private const string Open = "<!-- fields:begin (generated from FieldCatalogue.Default by SegmentsDocumentationTests) -->";
    private const string Close = "<!-- fields:end -->";

    private static string DocPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DmpActors.sln"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "docs", "segments.md");
        }
    }

    private static string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| field | type | source | meaning | example |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var f in FieldCatalogue.Default.Fields)
        {
            var type = f.Type.ToString().ToLowerInvariant();
            sb.AppendLine($"| `{f.Syntax}` | {type} | {f.Source.ToString().ToLowerInvariant()} | {f.Doc.Replace("|", "\\|", StringComparison.Ordinal)} | `{f.Example}` |");
        }

        return sb.ToString();
    }

    [Fact]
    public void Every_catalogue_field_is_documented_in_the_generated_table_of_docs_segments_md()
    {
        var doc = File.ReadAllText(DocPath);
        var start = doc.IndexOf(Open, StringComparison.Ordinal);
        var end = doc.IndexOf(Close, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/segments.md has no generated field table");
        var expected = Open + "\n" + Table() + Close;
        if (Environment.GetEnvironmentVariable("DMP_WRITE_DOCS") == "1")
        {
            doc = doc[..start] + expected + doc[(end + Close.Length)..];
            File.WriteAllText(DocPath, doc);
        }

        Assert.Equal(expected, doc[start..(end + Close.Length)]);
        Assert.All(FieldCatalogue.Default.Fields, f => Assert.Contains($"`{f.Syntax}`", doc, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_example_in_the_catalogue_and_in_the_docs_defines_a_valid_rule()
    {
        Assert.All(FieldCatalogue.Default.Fields, f => RuleDefinition.Define(f.Example));
        var doc = File.ReadAllText(DocPath);
        var section = doc[doc.IndexOf("## Examples", StringComparison.Ordinal)..doc.IndexOf("## Grammar", StringComparison.Ordinal)];
        var examples = section.Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim()).ToArray();
        Assert.NotEmpty(examples);
        Assert.All(examples, e => Assert.Equal(e, RuleDefinition.Define(e).Text));
    }
}
