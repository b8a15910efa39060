namespace DmpActors.Domain.Modules;

/// <summary>
/// The effects of one event, in the order the modules emitted them. Most events emit none or one, so those hold no
/// array: the hot path allocates nothing for them.
/// </summary>
public readonly struct ModuleEffects : IEquatable<ModuleEffects>
{
    private readonly ModuleEffect? _single;
    private readonly ModuleEffect[]? _many;

    private ModuleEffects(ModuleEffect? single, ModuleEffect[]? many)
    {
        _single = single;
        _many = many;
    }

    public static ModuleEffects None => default;

    public int Count => _many?.Length ?? (_single is null ? 0 : 1);

    public ModuleEffect this[int index] =>
        _many is not null ? _many[index]
        : index == 0 && _single is not null ? _single
        : throw new ArgumentOutOfRangeException(nameof(index));

    internal static ModuleEffects Of(ModuleEffect? single, List<ModuleEffect>? more) =>
        more is null ? new ModuleEffects(single, null) : new ModuleEffects(null, [single!, .. more]);

    public bool Equals(ModuleEffects other)
    {
        if (Count != other.Count) return false;
        for (var i = 0; i < Count; i++)
            if (!Equals(this[i], other[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is ModuleEffects other && Equals(other);

    public override int GetHashCode() => Count == 0 ? 0 : HashCode.Combine(Count, this[0]);

    public override string ToString()
    {
        var self = this;
        return Count == 0 ? "none" : string.Join(", ", Enumerable.Range(0, Count).Select(i => self[i]));
    }
}
