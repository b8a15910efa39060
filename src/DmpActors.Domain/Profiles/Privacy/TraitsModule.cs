using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Profiles.Privacy;

/// <summary>Identify traits; personal-data traits (by the rules) are stored only as salted hashes.</summary>
public sealed class TraitsModule : IFeatureModule
{
    public static readonly TraitsModule Instance = new();

    private TraitsModule() { }

    public string Name => "traits";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        if (e is { Type: EventType.Identify, Traits: { Count: > 0 } changes }) ctx.Profile.Traits = Merge(ctx.Profile.Traits, changes, ctx.Rules);
    }

    private static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> traits, IReadOnlyDictionary<string, string?> changes,
        ProfileRules rules)
    {
        var next = new Dictionary<string, string>(traits, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null) next.Remove(key);
            else next[key] = rules.IsHashedTrait(key) ? PiiHash.Of(value, rules.PiiSalt) : value;
        }

        return next.Count == 0 ? UserProfile.NoTraits : next;
    }
}
