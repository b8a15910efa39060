namespace DmpActors.Traffic;

/// <summary>
/// Shape of the synthetic shop. Defaults give a plausible mid-size store; every probability is per
/// opportunity (per product view, per session, per browsing step), not per event stream.
/// </summary>
public sealed record TrafficOptions
{
    public int Seed { get; init; } = 42;

    /// <summary>Prefix of every event_id. Null derives it from the seed, so a seed alone reproduces a run;
    /// give each load-generator run its own prefix when the platform de-duplicates by event_id.</summary>
    public string? RunId { get; init; }

    public int Users { get; init; } = 10_000;
    public int Categories { get; init; } = 20;
    public int ItemsPerCategory { get; init; } = 200;

    /// <summary>Exponent s of the Zipf popularity of items inside a category (rank 1 is item 0).</summary>
    public double ZipfExponent { get; init; } = 1.1;

    /// <summary>σ of the log-normal price distribution around each category's median price.</summary>
    public double PriceSigma { get; init; } = 0.5;

    /// <summary>Sessions in flight at once; their events interleave, which spaces a session's events out.</summary>
    public int ConcurrentSessions { get; init; } = 1_000;

    public double MeanBrowsingStepsPerSession { get; init; } = 8;

    /// <summary>Latent behavioural groups K (see <see cref="Population.BehaviourGroup"/>).</summary>
    public int Groups { get; init; } = 5;

    /// <summary>Share of product views, searches and offers that stay in the user's home category.</summary>
    public double HomeCategoryAffinity { get; init; } = 0.75;

    /// <summary>Share of users who start anonymous (anonymous_id only) and identify later.</summary>
    public double AnonymousShare { get; init; } = 0.3;

    /// <summary>Chance that a browsing step of a still-anonymous user is an identify.</summary>
    public double IdentifyProbability { get; init; } = 0.04;

    public double AddToCartProbability { get; init; } = 0.2;

    /// <summary>Chance that a session ending with a non-empty cart ends with a purchase.</summary>
    public double PurchaseProbability { get; init; } = 0.3;

    /// <summary>Chance that a user's first session begins with a consent event.</summary>
    public double ConsentProbability { get; init; } = 0.5;

    /// <summary>Chance that a later session begins with a consent event that may change the user's choices.</summary>
    public double ConsentChangeProbability { get; init; } = 0.03;

    /// <summary>Share of deliberately bad events (malformed JSON, unknown type, missing ids) for DLQ demos.</summary>
    public double InvalidShare { get; init; }

    public string Currency { get; init; } = "EUR";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Positive(Users, nameof(Users));
        Positive(Categories, nameof(Categories));
        Positive(ItemsPerCategory, nameof(ItemsPerCategory));
        Positive(ConcurrentSessions, nameof(ConcurrentSessions));
        Positive(Groups, nameof(Groups));
        if (!(ZipfExponent > 0)) throw Bad(nameof(ZipfExponent), ZipfExponent, "must be > 0");
        if (!(PriceSigma >= 0)) throw Bad(nameof(PriceSigma), PriceSigma, "must be >= 0");
        if (!(MeanBrowsingStepsPerSession >= 1)) throw Bad(nameof(MeanBrowsingStepsPerSession), MeanBrowsingStepsPerSession, "must be >= 1");
        Probability(HomeCategoryAffinity, nameof(HomeCategoryAffinity));
        Probability(AnonymousShare, nameof(AnonymousShare));
        Probability(IdentifyProbability, nameof(IdentifyProbability));
        Probability(AddToCartProbability, nameof(AddToCartProbability));
        Probability(PurchaseProbability, nameof(PurchaseProbability));
        Probability(ConsentProbability, nameof(ConsentProbability));
        Probability(ConsentChangeProbability, nameof(ConsentChangeProbability));
        Probability(InvalidShare, nameof(InvalidShare));
        if (string.IsNullOrWhiteSpace(Currency) || Currency.Length != 3) throw Bad(nameof(Currency), Currency, "must be a 3-letter ISO code");
        if (RunId is { } run && (run.Length is 0 or > 64 || run.Any(char.IsWhiteSpace)))
            throw Bad(nameof(RunId), run, "must be 1-64 characters without whitespace");
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw Bad(name, value, "must be > 0");
    }

    private static void Probability(double value, string name)
    {
        if (!(value is >= 0 and <= 1)) throw Bad(name, value, "must be within [0, 1]");
    }

    private static ArgumentException Bad(string name, object? value, string rule) =>
        new($"TrafficOptions.{name} = {value} {rule}", name);
}
