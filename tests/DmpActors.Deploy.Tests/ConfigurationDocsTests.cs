using System.Globalization;
using System.Text.RegularExpressions;
using DmpActors.Deploy.Tests.Support;
using DmpActors.Host.Runtime;

namespace DmpActors.Deploy.Tests;

/// <summary>docs/configuration.md lists every setting with its real default, so it cannot drift from the options.</summary>
public sealed partial class ConfigurationDocsTests
{
    private const string Document = "docs/configuration.md";

    [GeneratedRegex(@"^\| `(?<key>Dmp:[^`]+)` \| `(?<default>[^`]*)` \| (?<meaning>.*) \|$", RegexOptions.Multiline)]
    private static partial Regex Row();

    private static Dictionary<string, (string Default, string Meaning)> Documented() =>
        Row().Matches(Repo.Read(Document)).ToDictionary(m => m.Groups["key"].Value, m => (m.Groups["default"].Value, m.Groups["meaning"].Value.Trim()));

    public static string DefaultText(Setting setting) => setting.Default switch
    {
        null => "(none)",
        "" => "(empty)",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        Array { Length: 0 } => "[]",
        string[] items => string.Join(", ", items),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? "",
    };

    [Fact]
    public void Every_setting_is_documented_with_its_default_and_a_meaning()
    {
        var documented = Documented();
        var expected = SettingsCatalog.All.Select(s => $"| `{s.Key}` | `{DefaultText(s)}` | ... |");
        var missing = SettingsCatalog.All.Where(s => !documented.TryGetValue(s.Key, out var row) || row.Default != DefaultText(s)).ToList();

        Assert.True(missing.Count == 0,
            $"{Document} lacks or has a wrong default for:\n" + string.Join("\n", missing.Select(s => $"| `{s.Key}` | `{DefaultText(s)}` | ... |"))
            + "\n\nall rows:\n" + string.Join("\n", expected));
        Assert.All(documented, row => Assert.False(string.IsNullOrWhiteSpace(row.Value.Meaning) || row.Value.Meaning == "...", $"{row.Key} has no meaning"));
    }

    [Fact]
    public void Every_documented_setting_exists()
    {
        var unknown = Documented().Keys.Where(key => SettingsCatalog.Find(key) is null).ToList();

        Assert.True(unknown.Count == 0, $"{Document} documents settings nothing binds: " + string.Join(", ", unknown));
    }
}
