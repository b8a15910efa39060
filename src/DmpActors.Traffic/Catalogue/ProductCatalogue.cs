namespace DmpActors.Traffic.Catalogue;

public sealed record Product(string ItemId, int CategoryIndex, string Category, int PopularityRank, decimal Price);

/// <summary>
/// Categories × items. Item popularity inside a category is Zipf (rank 0 = the best seller); prices
/// are log-normal around a per-category median so some categories are cheap and some expensive.
/// </summary>
public sealed class ProductCatalogue
{
    private static readonly string[] KnownCategories =
    [
        "electronics", "books", "fashion", "home", "garden", "sports", "toys", "beauty", "grocery", "music",
        "movies", "games", "health", "automotive", "pets", "office", "jewelry", "shoes", "kitchen", "travel",
    ];

    private readonly Product[][] _items;
    private readonly ZipfSampler _popularity;

    public ProductCatalogue(int categories, int itemsPerCategory, double zipfExponent, double priceSigma, Random random)
    {
        Categories = Enumerable.Range(0, categories)
            .Select(c => c < KnownCategories.Length ? KnownCategories[c] : $"category-{c + 1}")
            .ToArray();
        _popularity = new ZipfSampler(itemsPerCategory, zipfExponent);
        _items = new Product[categories][];
        for (var c = 0; c < categories; c++)
        {
            // Category medians spread log-uniformly between 5 and 500.
            var median = Math.Exp(Math.Log(5) + random.NextDouble() * (Math.Log(500) - Math.Log(5)));
            _items[c] = new Product[itemsPerCategory];
            for (var i = 0; i < itemsPerCategory; i++)
            {
                var price = median * Math.Exp(priceSigma * StandardNormal(random));
                _items[c][i] = new Product($"sku-{c:D3}-{i:D5}", c, Categories[c], i,
                    Math.Max(0.5m, Math.Round((decimal)price, 2)));
            }
        }
    }

    public IReadOnlyList<string> Categories { get; }

    public ZipfSampler Popularity => _popularity;

    public IReadOnlyList<Product> ItemsOf(int categoryIndex) => _items[categoryIndex];

    public Product SampleItem(int categoryIndex, Random random) => _items[categoryIndex][_popularity.Sample(random)];

    /// <summary>Box–Muller; one of the pair is thrown away to keep the draw sequence simple.</summary>
    internal static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
