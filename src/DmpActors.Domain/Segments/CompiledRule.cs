using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Segments;

/// <summary>
/// A rule ready to evaluate: a closure over a <see cref="RuleContext"/>, what it reads (so the engine evaluates it only
/// when an event could change the outcome) and when time alone could change it.
/// </summary>
public sealed class CompiledRule
{
    private readonly RuleCompiler _compiler;
    private readonly RuleNode _root;
    private readonly Func<RuleContext, bool> _test;
    private readonly RuleAtom[] _clockAtoms;

    internal CompiledRule(RuleCompiler compiler, RuleDefinition definition, RuleNode root, IReadOnlyList<BoundField> inputs)
    {
        _compiler = compiler;
        Definition = definition;
        _root = root;
        _test = root.ToClosure();
        Inputs = inputs;
        var atoms = new List<RuleAtom>();
        root.CollectAtoms(atoms);
        Fields = atoms.Select(a => a.FieldName).ToHashSet(StringComparer.Ordinal);
        _clockAtoms = atoms.Where(a => a.Field.Spec.Source is FieldSource.Windows or FieldSource.Affinity || a.Field.Spec.Type == RuleType.Time).ToArray();
        ReadsExternalInputs = inputs.Any(f => f.Spec.Source == FieldSource.External);
    }

    public RuleDefinition Definition { get; }

    /// <summary>The canonical text of the rule.</summary>
    public string Text => Definition.Text;

    /// <summary>The fields the rule reads, resolved (family, window, key), each once.</summary>
    public IReadOnlyList<BoundField> Inputs { get; }

    /// <summary>The fields the rule reads by canonical name, e.g. <c>window.purchases.30d</c>, <c>trait.country</c>,
    /// <c>affinity.category("shoes")</c>.</summary>
    public IReadOnlySet<string> Fields { get; }

    /// <summary>The outcome can change with time alone (windows, affinities, within/older than); see <see cref="NextChange(RuleContext)"/>.</summary>
    public bool DependsOnClock => _clockAtoms.Length > 0;

    /// <summary>Reads RFM, scores or clusters: the engine must also evaluate it when those inputs change.</summary>
    public bool ReadsExternalInputs { get; }

    /// <summary>Whether an event of this type can change a field the rule reads (profile merges and erasure change
    /// every field and are not covered).</summary>
    public bool ChangedBy(EventType type)
    {
        foreach (var input in Inputs)
        {
            if (input.ChangedBy(type)) return true;
        }

        return false;
    }

    /// <summary>Whether the event can have changed a field the rule reads, with what it did known beyond its type.</summary>
    public bool ChangedBy(in InputChange change)
    {
        foreach (var input in Inputs)
        {
            if (input.ChangedBy(change)) return true;
        }

        return false;
    }

    public bool Evaluate(RuleContext context)
    {
        Own(context);
        return _test(context);
    }

    /// <summary>Evaluates with a fresh context; prefer a reused context (and one compiler) for many rules.</summary>
    public bool Evaluate(UserProfile profile, DateTimeOffset now, IRuleInputs? inputs = null) =>
        _test(_compiler.CreateContext().Reset(profile, now, inputs));

    public RuleExplanation Explain(RuleContext context)
    {
        Own(context);
        var all = new List<ClauseValue>();
        var (outcome, deciding) = _root.Explain(context, all);
        return new RuleExplanation(outcome, deciding, all);
    }

    public RuleExplanation Explain(UserProfile profile, DateTimeOffset now, IRuleInputs? inputs = null) =>
        Explain(_compiler.CreateContext().Reset(profile, now, inputs));

    /// <summary>
    /// The earliest instant after the context's now at which the outcome could change without any new event (a
    /// <c>within</c> running out, a window count losing its oldest bucket, an affinity decaying past a threshold), or
    /// null when time alone cannot change it. Never later than the real change; it may be earlier (a value changes
    /// without changing the outcome), so evaluate again then and ask again.
    /// </summary>
    public DateTimeOffset? NextChange(RuleContext context)
    {
        Own(context);
        DateTimeOffset? next = null;
        foreach (var atom in _clockAtoms)
        {
            if (atom.NextChange(context) is { } at && (next is null || at < next)) next = at;
        }

        return next;
    }

    /// <summary>
    /// <see cref="NextChange(RuleContext)"/> of only the clauses whose field the event can have changed. A clause
    /// whose field kept its value keeps the next-change time it had (its value history is the same), so a caller that
    /// keeps the earliest time over every clause since it last asked them all needs only these.
    /// </summary>
    public DateTimeOffset? NextChange(RuleContext context, in InputChange change)
    {
        Own(context);
        DateTimeOffset? next = null;
        foreach (var atom in _clockAtoms)
        {
            if (atom.Field.ChangedBy(change) && atom.NextChange(context) is { } at && (next is null || at < next)) next = at;
        }

        return next;
    }

    public DateTimeOffset? NextChange(UserProfile profile, DateTimeOffset now, IRuleInputs? inputs = null) =>
        NextChange(_compiler.CreateContext().Reset(profile, now, inputs));

    public override string ToString() => Text;

    private void Own(RuleContext context)
    {
        if (!ReferenceEquals(context.Compiler, _compiler))
            throw new ArgumentException("the context belongs to another RuleCompiler: create it with this rule's compiler", nameof(context));
    }
}
