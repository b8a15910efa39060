using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Windows;

namespace DmpActors.Domain.Segments;

/// <summary>One field's value for the profile being evaluated.</summary>
/// <param name="Known">False for an absent trait or an unknown external input: every comparison with it is false.</param>
/// <param name="Exists">What <c>exists(field)</c> says (see docs/segments.md per field).</param>
/// <param name="Number">Numbers, booleans (1/0); compared as 64-bit floating point.</param>
/// <param name="Ticks">UTC ticks of a time field.</param>
internal readonly record struct SlotValue(bool Known, bool Exists, double Number, long Ticks = 0, string? Text = null)
{
    public static readonly SlotValue Unknown = default;

    public static SlotValue Count(double n) => new(true, n > 0, n);
}

/// <summary>
/// The profile, clock and external inputs one evaluation reads, with each input read at most once however many rules
/// of the same <see cref="RuleCompiler"/> use it (window values cost microseconds each; see docs/segments.md).
/// Reuse one context per thread: <see cref="Reset"/> forgets the previous profile without allocating.
/// </summary>
public sealed class RuleContext
{
    private readonly RuleCompiler _compiler;
    private SlotValue[] _values = [];
    private int[] _stamps = [];
    private readonly WindowValues?[] _windows = new WindowValues?[WindowSpans.Standard.Count];
    private readonly int[] _windowStamps = new int[WindowSpans.Standard.Count];
    private readonly Dictionary<(int Window, long Minute), WindowValues> _future = [];
    private int _generation;

    internal RuleContext(RuleCompiler compiler) => _compiler = compiler;

    public UserProfile Profile { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public IRuleInputs Inputs { get; private set; } = NoRuleInputs.Instance;

    internal RuleCompiler Compiler => _compiler;

    public RuleContext Reset(UserProfile profile, DateTimeOffset now, IRuleInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Profile = profile;
        Now = now;
        Inputs = inputs ?? NoRuleInputs.Instance;
        _future.Clear();
        if (++_generation == int.MaxValue)
        {
            _generation = 1;
            Array.Clear(_stamps);
            Array.Clear(_windowStamps);
        }

        return this;
    }

    internal SlotValue Read(int slot)
    {
        // Rules compiled after this context was created add slots: grow to the compiler's count.
        if ((uint)slot >= (uint)_stamps.Length)
        {
            Array.Resize(ref _values, Math.Max(_compiler.SlotCount, 2 * _values.Length));
            Array.Resize(ref _stamps, _values.Length);
        }

        if (_stamps[slot] == _generation) return _values[slot];
        var value = _compiler.Load(slot, this);
        _values[slot] = value;
        _stamps[slot] = _generation;
        return value;
    }

    /// <summary>The values of a standard window ending now, read once per evaluation.</summary>
    internal WindowValues Window(int index)
    {
        if (_windowStamps[index] != _generation)
        {
            _windows[index] = Profile.Windows.ValuesFor(WindowSpans.Standard[index].Span, Now);
            _windowStamps[index] = _generation;
        }

        return _windows[index]!;
    }

    /// <summary>The values the same window will hold at the start of a later minute if no event arrives.</summary>
    internal WindowValues WindowAt(int index, long minute)
    {
        if (!_future.TryGetValue((index, minute), out var values))
        {
            values = Profile.Windows.ValuesFor(WindowSpans.Standard[index].Span, MinuteStart(minute));
            _future[(index, minute)] = values;
        }

        return values;
    }

    internal static DateTimeOffset MinuteStart(long minute) => DateTimeOffset.UnixEpoch.AddMinutes(minute);
}
