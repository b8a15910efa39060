using DmpActors.Ml.Training;

namespace DmpActors.Engine.Models;

/// <summary>
/// The version rules, pure over a catalogue: a new version becomes active and retires the active one, or, as a
/// shadow, replaces only the shadow; a promotion makes any known version active and retires the active one; a
/// rollback promotes the newest retired version older than the active one.
/// </summary>
public static class ModelVersions
{
    public static ModelVersion NewVersion(ModelCatalogue catalogue, TrainedModel trained, bool shadow, DateTimeOffset at)
    {
        var mine = catalogue.Versions.Where(v => v.Name == trained.Name).ToArray();
        var next = mine.Length == 0 ? 1 : mine.Max(v => v.Version) + 1;
        var status = shadow && mine.Any(v => v.Status == ModelStatus.Active) ? ModelStatus.Shadow : ModelStatus.Active;
        // JSON has no NaN: a metric that could not be measured is left out.
        var metrics = trained.Metrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new ModelVersion(trained.Name, next, trained.Model.Kind, status, at, metrics, trained.Rows,
            trained.Duration.TotalMilliseconds, ModelCodec.Encode(trained.Model));
    }

    public static ModelCatalogue Add(ModelCatalogue catalogue, ModelVersion added)
    {
        var versions = catalogue.Versions.Select(v => v.Name != added.Name || v.Status != added.Status ? v : v with { Status = ModelStatus.Retired });
        return new ModelCatalogue(catalogue.Revision + 1, [.. versions, added]);
    }

    /// <summary>Null when the version is unknown or already active.</summary>
    public static string? CannotPromote(ModelCatalogue catalogue, string name, int version)
    {
        var v = catalogue.Versions.FirstOrDefault(x => x.Name == name && x.Version == version);
        return v is null ? $"{name} has no version {version}" : v.Status == ModelStatus.Active ? $"{name} v{version} is already active" : null;
    }

    public static ModelCatalogue Promote(ModelCatalogue catalogue, string name, int version) => new(catalogue.Revision + 1,
    [
        .. catalogue.Versions.Select(v => v.Name != name ? v
            : v.Version == version ? v with { Status = ModelStatus.Active }
            : v.Status == ModelStatus.Active ? v with { Status = ModelStatus.Retired }
            : v),
    ]);

    /// <summary>The version a rollback of <paramref name="name"/> would make active, or null.</summary>
    public static int? RollbackTarget(ModelCatalogue catalogue, string name)
    {
        var active = catalogue.Versions.FirstOrDefault(v => v.Name == name && v.Status == ModelStatus.Active);
        if (active is null) return null;
        var previous = catalogue.Versions.Where(v => v.Name == name && v.Status == ModelStatus.Retired && v.Version < active.Version)
            .OrderByDescending(v => v.Version).FirstOrDefault();
        return previous?.Version;
    }

    /// <summary>The catalogue as published to nodes: payloads only where a node scores with them.</summary>
    public static ModelCatalogue ForNodes(ModelCatalogue catalogue) => catalogue with
    {
        Versions = [.. catalogue.Versions.Select(v => v.Status == ModelStatus.Retired ? v with { Payload = null } : v)],
    };
}
