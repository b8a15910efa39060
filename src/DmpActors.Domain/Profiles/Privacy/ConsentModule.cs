using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;

namespace DmpActors.Domain.Profiles.Privacy;

/// <summary>Consent per purpose and its history. Runs before the modules whose recording consent decides.</summary>
public sealed class ConsentModule : IFeatureModule
{
    public static readonly ConsentModule Instance = new();

    private ConsentModule() { }

    public string Name => "consent";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        if (e is not { Type: EventType.Consent, ConsentPurposes: { Count: > 0 } purposes }) return;
        ref var p = ref ctx.Profile;
        p.Consent = Merge(p.Consent, purposes, e.Timestamp);
        p.ConsentHistory = p.ConsentHistory.Add(purposes, e.Timestamp);
    }

    /// <summary>Per purpose, the decision with the latest event time wins; on a tie a denial wins (privacy first),
    /// so the outcome does not depend on arrival order.</summary>
    private static IReadOnlyDictionary<string, ConsentState>? Merge(
        IReadOnlyDictionary<string, ConsentState>? consent, IReadOnlyDictionary<string, bool> purposes, DateTimeOffset at)
    {
        Dictionary<string, ConsentState>? next = null;
        foreach (var (purpose, granted) in purposes)
        {
            if (consent is not null && consent.TryGetValue(purpose, out var current)
                && (current.At > at || (current.At == at && (!current.Granted || granted))))
                continue;

            next ??= consent is null ? new Dictionary<string, ConsentState>(StringComparer.Ordinal) : new Dictionary<string, ConsentState>(consent, StringComparer.Ordinal);
            next[purpose] = new ConsentState(granted, at);
        }

        return next ?? consent;
    }
}
