using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Segments;

/// <summary>One version of a segment's definition, as the segment catalogue holds it.</summary>
/// <param name="Rule">The rule's canonical text (<see cref="RuleDefinition.Text"/>).</param>
/// <param name="Shadow">Evaluated and counted, but its changes are not emitted (docs/segments.md).</param>
/// <param name="Deleted">A tombstone: the segment was deleted at this version (it keeps the rule it had).</param>
public sealed record SegmentVersion(string SegmentId, int Version, string Rule, bool Shadow, DateTimeOffset DefinedAt, bool Deleted = false);

/// <summary>A segment the engine evaluates: its current version with the rule compiled.</summary>
public sealed record ActiveSegment(string Id, int Version, bool Shadow, CompiledRule Rule);

/// <summary>
/// The segments every user entity evaluates, as one immutable snapshot: the catalogue publishes a new set whenever a
/// definition changes, and an entity reads the set current at each event. All rules of one set share one
/// <see cref="RuleCompiler"/>, so a field several rules read is read once per evaluation.
/// </summary>
public sealed class SegmentSet
{
    private readonly Dictionary<string, ActiveSegment> _byId;

    private SegmentSet(long revision, RuleCompiler compiler, IReadOnlyList<ActiveSegment> segments)
    {
        Revision = revision;
        Compiler = compiler;
        Segments = segments;
        _byId = segments.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public static SegmentSet Empty { get; } = new(0, new RuleCompiler(), []);

    /// <summary>Grows by one with every change of the catalogue; a later set has a higher revision.</summary>
    public long Revision { get; }

    public RuleCompiler Compiler { get; }

    /// <summary>In segment id order.</summary>
    public IReadOnlyList<ActiveSegment> Segments { get; }

    public ActiveSegment? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Compiles the current version of every segment. Definitions come from the catalogue, which checked
    /// them when they were defined; a rule that no longer checks (a field removed from the catalogue) throws.</summary>
    public static SegmentSet Build(long revision, IEnumerable<SegmentVersion> current, ProfileRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        var compiler = new RuleCompiler(rules);
        var segments = current
            .OrderBy(s => s.SegmentId, StringComparer.Ordinal)
            .Select(s => new ActiveSegment(s.SegmentId, s.Version, s.Shadow, compiler.Compile(RuleDefinition.Define(s.Rule))))
            .ToArray();
        return new SegmentSet(revision, compiler, segments);
    }
}
