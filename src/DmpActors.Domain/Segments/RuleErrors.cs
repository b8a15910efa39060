namespace DmpActors.Domain.Segments;

/// <summary>What is wrong with a rule and where: 1-based line and column of the text it was defined with (for a rule
/// read from JSON, of its canonical text).</summary>
public sealed record RuleError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>A rule was refused. <see cref="Errors"/> holds every reason found, in text order.</summary>
public abstract class RuleException(IReadOnlyList<RuleError> errors)
    : FormatException(string.Join("; ", errors))
{
    public IReadOnlyList<RuleError> Errors { get; } = errors;

    public int Line => Errors[0].Line;

    public int Column => Errors[0].Column;
}

/// <summary>The text is not a rule: the first syntax error.</summary>
public sealed class RuleParseException(RuleError error) : RuleException([error]);

/// <summary>The rule is well-formed but names an unknown field, window or event type, or compares a field with a
/// value of the wrong type.</summary>
public sealed class RuleCheckException(IReadOnlyList<RuleError> errors) : RuleException(errors);
