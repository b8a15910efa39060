using DmpActors.Domain.Events;

namespace DmpActors.Domain.Modules;

/// <summary>
/// What one feature does with each applied event, as a pure function: it reads the event and the profile as it was,
/// writes only its own slice of the profile draft, and asks the entity for anything beyond the profile through
/// effects (<see cref="ModuleContext.Emit"/>). No clock, no I/O: replaying the same events gives the same profile and
/// the same effects. Modules run in the fixed order of a <see cref="FeaturePipeline"/>.
/// </summary>
public interface IFeatureModule
{
    /// <summary>Stable and short: it names the module in the pipeline, in docs and in its codec section.</summary>
    string Name { get; }

    /// <summary>Called once per event that passed dedupe. An exception costs only the event (the entity
    /// dead-letters it with <c>apply_failed</c>); nothing a module wrote to the draft is kept then.</summary>
    void OnEvent(ref ModuleContext ctx, UserEvent e);
}
