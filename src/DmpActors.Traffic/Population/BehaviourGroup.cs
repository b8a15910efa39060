namespace DmpActors.Traffic.Population;

/// <summary>
/// One latent behavioural group: the truth a segmentation should recover. Its members share favourite
/// categories, how often they visit, how readily they buy, and how likely they click an offer for an
/// item of each category (the click model: P(click | impression) = <see cref="ClickProbability"/>[category]).
/// </summary>
/// <param name="Share">Probability that a user belongs to this group (shares sum to 1).</param>
/// <param name="Activity">Relative visit frequency: a member starts sessions this many times as often as an activity-1 user.</param>
/// <param name="PurchaseMultiplier">Scales the add-to-cart and purchase probabilities of members (capped at 1).</param>
public sealed record BehaviourGroup(
    int Id,
    string Name,
    double Share,
    IReadOnlyList<string> FavouriteCategories,
    double Activity,
    double PurchaseMultiplier,
    IReadOnlyDictionary<string, double> ClickProbability);

/// <summary>
/// The K groups of a run, derived from the seed alone. Favourite categories come from one seeded
/// permutation, so groups overlap only when there are fewer categories than groups need.
/// </summary>
public sealed class BehaviourModel
{
    /// <summary>Offers for a favourite category are clicked this many times as often as the group's base rate.</summary>
    public const double FavouriteClickLift = 4.0;

    private const double MaxClickProbability = 0.9;

    private readonly double[][] _click;
    private readonly int[][] _favourites;
    private readonly double[] _shareCdf;
    private readonly double _maxActivity;

    public BehaviourModel(int seed, int groups, IReadOnlyList<string> categories)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ArgumentOutOfRangeException.ThrowIfZero(categories.Count);
        var random = new Random(unchecked(seed * 31 + 0x6B1D));
        var order = Enumerable.Range(0, categories.Count).ToArray();
        random.Shuffle(order);
        var perGroup = Math.Clamp(categories.Count / groups, 1, 3);

        var weights = new double[groups];
        _favourites = new int[groups][];
        _click = new double[groups][];
        var list = new BehaviourGroup[groups];
        for (var g = 0; g < groups; g++)
        {
            weights[g] = 0.5 + random.NextDouble();
            _favourites[g] = Enumerable.Range(0, perGroup).Select(j => order[(g * perGroup + j) % order.Length]).Distinct().ToArray();
            // Base click-through rate log-uniform in [2 %, 8 %]; non-favourite categories vary ×0.5–1.5 around it.
            var baseRate = Math.Exp(Math.Log(0.02) + random.NextDouble() * (Math.Log(0.08) - Math.Log(0.02)));
            _click[g] = new double[categories.Count];
            for (var c = 0; c < categories.Count; c++)
            {
                var factor = _favourites[g].Contains(c) ? FavouriteClickLift : 0.5 + random.NextDouble();
                _click[g][c] = Math.Round(Math.Min(MaxClickProbability, baseRate * factor), 4);
            }
        }
        var total = weights.Sum();
        _shareCdf = new double[groups];
        var running = 0.0;
        for (var g = 0; g < groups; g++)
        {
            running += weights[g] / total;
            _shareCdf[g] = running;
        }
        _shareCdf[^1] = 1.0;

        for (var g = 0; g < groups; g++)
        {
            var activity = Math.Round(Math.Exp(Math.Log(0.5) + random.NextDouble() * Math.Log(4)), 3);
            var purchase = Math.Round(0.5 + 1.5 * random.NextDouble(), 3);
            var favourites = _favourites[g].Select(c => categories[c]).ToArray();
            list[g] = new BehaviourGroup(g, $"g{g}-{favourites[0]}", weights[g] / total, favourites, activity, purchase,
                categories.Select((name, c) => (name, c)).ToDictionary(x => x.name, x => _click[g][x.c]));
        }
        Groups = list;
        _maxActivity = list.Max(g => g.Activity);
    }

    public IReadOnlyList<BehaviourGroup> Groups { get; }

    public double ClickProbability(int group, int categoryIndex) => _click[group][categoryIndex];

    /// <summary>Draws a group by the groups' shares.</summary>
    public int SampleGroup(Random random)
    {
        var u = random.NextDouble();
        for (var g = 0; g < _shareCdf.Length; g++)
            if (u < _shareCdf[g]) return g;
        return _shareCdf.Length - 1;
    }

    public int SampleFavourite(int group, Random random) => _favourites[group][random.Next(_favourites[group].Length)];

    /// <summary>Chance that a drawn member of <paramref name="group"/> actually starts a session (rejection sampling on activity).</summary>
    public double VisitAcceptance(int group) => Groups[group].Activity / _maxActivity;
}
