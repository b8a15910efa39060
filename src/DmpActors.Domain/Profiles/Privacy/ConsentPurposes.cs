namespace DmpActors.Domain.Profiles.Privacy;

/// <summary>The consent purposes the platform acts on; consent events may carry others, which are kept as given.</summary>
public static class ConsentPurposes
{
    /// <summary>Denied: behaviour windows stop recording.</summary>
    public const string Analytics = "analytics";

    /// <summary>Denied: affinities stop recording.</summary>
    public const string Personalization = "personalization";

    public const string Marketing = "marketing";

    /// <summary>Whether the latest decision for the purpose is a denial; false when never asked.</summary>
    public static bool IsDenied(IReadOnlyDictionary<string, ConsentState>? consent, string purpose) =>
        consent is not null && consent.TryGetValue(purpose, out var c) && !c.Granted;
}
