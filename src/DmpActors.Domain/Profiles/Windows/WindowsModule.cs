using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles.Privacy;

namespace DmpActors.Domain.Profiles.Windows;

/// <summary>Event-time behaviour windows (1h/24h/7d/30d); they record nothing while analytics consent is denied.</summary>
public sealed class WindowsModule : IFeatureModule
{
    public static readonly WindowsModule Instance = new();

    private WindowsModule() { }

    public string Name => "windows";

    public void OnEvent(ref ModuleContext ctx, UserEvent e)
    {
        ref var p = ref ctx.Profile;
        var (windows, tooLate) = p.Windows.Record(e, ctx.Rules, recording: !ConsentPurposes.IsDenied(p.Consent, ConsentPurposes.Analytics));
        p.Windows = windows;
        ctx.TooLate = tooLate;
    }
}
