namespace DmpActors.Engine.Hosting;

/// <summary>
/// What is wrong with a configuration, one "Dmp:Section:Key: what is wrong" line per problem. Every options class
/// reports into one of these (<c>Validate(OptionsProblems)</c>), so a node that cannot start names every bad key at once.
/// </summary>
public sealed class OptionsProblems
{
    private readonly List<string> _lines;

    /// <param name="section">The full key of the section being checked, e.g. "Dmp".</param>
    public OptionsProblems(string section) : this(section, []) { }

    private OptionsProblems(string section, List<string> lines)
    {
        Section = section;
        _lines = lines;
    }

    public string Section { get; }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Problems of a nested section land in the same list, with its keys prefixed by <paramref name="section"/>.</summary>
    public OptionsProblems Under(string section) => new($"{Section}:{section}", _lines);

    public void Add(string key, string problem) => _lines.Add($"{Section}:{key}: {problem}");

    public void Check(bool ok, string key, string problem)
    {
        if (!ok) Add(key, problem);
    }

    /// <summary>The problems one options class reports, with keys under <paramref name="section"/>.</summary>
    public static IReadOnlyList<string> Of(string section, Action<OptionsProblems> validate)
    {
        var problems = new OptionsProblems(section);
        validate(problems);
        return problems.Lines;
    }
}
