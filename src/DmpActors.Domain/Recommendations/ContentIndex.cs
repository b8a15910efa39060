using System.Text;

namespace DmpActors.Domain.Recommendations;

/// <summary>
/// Content neighbours: each item is a bag of terms (title words, tags as <c>tag:x</c>, the category as <c>cat:x</c>),
/// weighted TF-IDF (tf·ln(1 + N/df)), compared by cosine. An item with no history has neighbours as soon as it is
/// catalogued. Candidates come from an inverted index; a term held by more than 5 % of the items (at least
/// <c>CommonTermFloor</c>, at most <c>MaxPostingsPerTerm</c>), too common to discriminate, is skipped when looking for
/// candidates but still counts in the cosine.
/// An item's neighbour list is cached until it or an item in it changes, or <c>RefreshAfterChanges</c> other items have
/// changed (so a new item joins its neighbours' lists within that many catalogue changes). Not thread-safe: one owner writes, readers take its lock.
/// </summary>
public sealed class ContentIndex
{
    private readonly Dictionary<string, Dictionary<string, int>> _docs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Version, ItemScore[] List)> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _listedIn = new(StringComparer.Ordinal); // item → cached lists holding it
    private long _version;

    public ContentIndex(int maxPostingsPerTerm = 5_000, int neighbours = 20, int refreshAfterChanges = 1_000)
    {
        RefreshAfterChanges = refreshAfterChanges;
        MaxPostingsPerTerm = maxPostingsPerTerm;
        Neighbours = neighbours;
    }

    public int MaxPostingsPerTerm { get; }

    /// <summary>A term held by at most this many items always finds candidates, however small the catalogue.</summary>
    public const int CommonTermFloor = 100;

    public int RefreshAfterChanges { get; }

    /// <summary>How many neighbours are kept per item.</summary>
    public int Neighbours { get; }

    public int Count => _docs.Count;

    /// <summary>Indexes (or re-indexes) an item from its title, tags and category.</summary>
    public void Upsert(CatalogueItem item)
    {
        var terms = TermsOf(item);
        if (_docs.TryGetValue(item.Id, out var old))
        {
            if (SameTerms(old, terms)) return;
            Remove(item.Id);
        }

        _docs[item.Id] = terms;
        Invalidate(item.Id);
        foreach (var term in terms.Keys)
        {
            if (!_postings.TryGetValue(term, out var set)) _postings[term] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(item.Id);
        }

        _version++;
    }

    public void Remove(string itemId)
    {
        if (!_docs.Remove(itemId, out var terms)) return;
        Invalidate(itemId);
        foreach (var term in terms.Keys)
        {
            if (_postings.TryGetValue(term, out var set) && set.Remove(itemId) && set.Count == 0) _postings.Remove(term);
        }

        _version++;
    }

    /// <summary>The items most similar to <paramref name="itemId"/> (cosine &gt; 0), most similar first.</summary>
    public IReadOnlyList<ItemScore> NeighboursOf(string itemId)
    {
        if (_cache.TryGetValue(itemId, out var hit) && _version - hit.Version < RefreshAfterChanges) return hit.List;
        if (!_docs.TryGetValue(itemId, out var doc)) return [];

        var query = Weigh(doc, out var queryNorm);
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        // A term most items share finds no neighbour worth finding: it only makes every query score the catalogue.
        var limit = Math.Min(MaxPostingsPerTerm, Math.Max(CommonTermFloor, _docs.Count / 20));
        foreach (var term in doc.Keys)
        {
            if (_postings.TryGetValue(term, out var set) && set.Count <= limit) candidates.UnionWith(set);
        }

        candidates.Remove(itemId);
        var scored = new List<ItemScore>(candidates.Count);
        foreach (var other in candidates)
        {
            var cosine = Cosine(query, queryNorm, _docs[other]);
            if (cosine > 0) scored.Add(new ItemScore(other, cosine));
        }

        var list = scored.OrderByDescending(s => s.Score).ThenBy(s => s.ItemId, StringComparer.Ordinal).Take(Neighbours).ToArray();
        Forget(itemId);
        _cache[itemId] = (_version, list);
        foreach (var n in list)
        {
            if (!_listedIn.TryGetValue(n.ItemId, out var holders)) _listedIn[n.ItemId] = holders = new HashSet<string>(StringComparer.Ordinal);
            holders.Add(itemId);
        }

        return list;
    }

    // A changed or removed item drops its own cached list and every cached list that names it.
    private void Invalidate(string itemId)
    {
        Forget(itemId);
        if (!_listedIn.Remove(itemId, out var holders)) return;
        foreach (var holder in holders) Forget(holder);
    }

    private void Forget(string itemId)
    {
        if (!_cache.Remove(itemId, out var old)) return;
        foreach (var n in old.List)
        {
            if (_listedIn.TryGetValue(n.ItemId, out var holders) && holders.Remove(itemId) && holders.Count == 0) _listedIn.Remove(n.ItemId);
        }
    }

    /// <summary>Cosine similarity of two indexed items (0 when either is absent).</summary>
    public double Similarity(string a, string b)
    {
        if (!_docs.TryGetValue(a, out var da) || !_docs.TryGetValue(b, out var db)) return 0;
        var query = Weigh(da, out var norm);
        return Cosine(query, norm, db);
    }

    /// <summary>Lower-cased words of the title (letters and digits, two characters or more), <c>tag:</c> terms and one
    /// <c>cat:</c> term, with their counts.</summary>
    public static Dictionary<string, int> TermsOf(CatalogueItem item)
    {
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string t) => terms[t] = terms.GetValueOrDefault(t) + 1;
        foreach (var word in Words(item.Title)) Add(word);
        foreach (var tag in item.Tags) Add("tag:" + tag.Trim().ToLowerInvariant());
        if (!string.IsNullOrWhiteSpace(item.Category)) Add("cat:" + item.Category.Trim().ToLowerInvariant());
        return terms;
    }

    private static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var word = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant().Append(' '))
        {
            if (char.IsLetterOrDigit(ch)) word.Append(ch);
            else if (word.Length > 0)
            {
                if (word.Length >= 2) yield return word.ToString();
                word.Clear();
            }
        }
    }

    private double Idf(string term) =>
        Math.Log(1 + _docs.Count / (double)(_postings.TryGetValue(term, out var set) ? set.Count : 1));

    private Dictionary<string, double> Weigh(Dictionary<string, int> doc, out double norm)
    {
        var weights = new Dictionary<string, double>(doc.Count, StringComparer.Ordinal);
        var sum = 0d;
        foreach (var (term, tf) in doc)
        {
            var w = tf * Idf(term);
            weights[term] = w;
            sum += w * w;
        }

        norm = Math.Sqrt(sum);
        return weights;
    }

    private double Cosine(Dictionary<string, double> query, double queryNorm, Dictionary<string, int> other)
    {
        if (queryNorm == 0) return 0;
        double dot = 0, sum = 0;
        foreach (var (term, tf) in other)
        {
            var w = tf * Idf(term);
            sum += w * w;
            if (query.TryGetValue(term, out var q)) dot += q * w;
        }

        return sum == 0 ? 0 : dot / (queryNorm * Math.Sqrt(sum));
    }

    private static bool SameTerms(Dictionary<string, int> a, Dictionary<string, int> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var n) && n == kv.Value);
}
