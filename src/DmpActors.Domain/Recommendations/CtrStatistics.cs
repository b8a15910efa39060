using DmpActors.Domain.Events;

namespace DmpActors.Domain.Recommendations;

/// <summary>Bounds and rules of the impression → click loop (Dmp:Recommendations:Ctr).</summary>
public sealed record CtrOptions
{
    public static CtrOptions Default { get; } = new();

    /// <summary>A click counts for an impression when it comes at most this long after it (the label horizon).</summary>
    public TimeSpan ClickWindow { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A click stamped this much before its list was served still counts (clocks of client and node differ).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An item shown to a user this many times without a click is left out of their lists (0: never).</summary>
    public int FatigueImpressions { get; init; } = 5;

    /// <summary>Served lists waiting for clicks; past it the oldest stops waiting early.</summary>
    public int MaxOpenImpressions { get; init; } = 500_000;

    /// <summary>Items and slots with counters; past it the least recently shown tenth is forgotten.</summary>
    public int MaxCounters { get; init; } = 50_000;

    /// <summary>Users whose unclicked impressions are counted, and items per user.</summary>
    public int MaxFatigueUsers { get; init; } = 100_000;

    public int MaxFatigueItemsPerUser { get; init; } = 64;
}

/// <summary>A point-in-time training row: the features an item had when it was served, and whether it was clicked
/// within the click window after.</summary>
public sealed record CtrRow(string RecommendationId, string UserId, string ItemId, string Slot, DateTimeOffset At, int Position,
    float[] Features, bool Clicked);

/// <summary>
/// The impression → click loop of one node, folded from the impressions topic and the events topic: live CTR per item
/// and per slot (<see cref="CtrCounter"/>), the join of each click to its served list, the labelled rows of the lists
/// this node served, and per user the items shown again and again without a click. A click names its list
/// (<c>recommendation_id</c>) and counts once per item of that list, only within the click window; a click folded before
/// its list (the two topics are read apart) waits for it as long. Not thread-safe: its owner takes a lock.
/// </summary>
public sealed class CtrStatistics(CtrOptions? options = null, string? localNode = null, DateTimeOffset rowsFrom = default)
{
    private sealed class Open(Impression impression)
    {
        public Impression Impression { get; } = impression;
        public bool[] Clicked { get; } = new bool[impression.Items.Count];
    }

    private readonly CtrOptions _o = options ?? CtrOptions.Default;
    private readonly Dictionary<string, Open> _open = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset At, string Id)> _openOrder = new();
    private readonly Dictionary<string, List<(string User, string Item, DateTimeOffset At)>> _early = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset At, string Id)> _earlyOrder = new();
    private readonly Dictionary<string, CtrCounter> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CtrCounter> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _unclicked = new(StringComparer.Ordinal);
    private readonly Queue<string> _unclickedOrder = new();

    public CtrOptions Options => _o;
    public long Impressions { get; private set; }
    public long Clicks { get; private set; }

    /// <summary>Clicks that named no list this node knows within the click window, or an item not in it.</summary>
    public long UnmatchedClicks { get; private set; }

    public int OpenLists => _open.Count;

    public IReadOnlyCollection<string> Slots => _slots.Keys;

    /// <summary>Folds a click event (a product view or offer click naming its list); other events are ignored.</summary>
    public void Apply(UserEvent e, List<CtrRow> rows)
    {
        if (e is { Type: EventType.ProductView or EventType.OfferClick, RecommendationId: { } id, ItemId: { } item })
            OnClick(id, e.EntityId, item, e.Timestamp, rows);
    }

    public void OnImpression(Impression impression, List<CtrRow> rows)
    {
        if (_open.ContainsKey(impression.RecommendationId)) return; // the same list logged twice
        var open = new Open(impression);
        _open[impression.RecommendationId] = open;
        _openOrder.Enqueue((impression.At, impression.RecommendationId));
        var slot = Counter(_slots, impression.SlotKey);
        slot.Add(impression.At, impression.Items.Count, 0);
        foreach (var item in impression.Items)
        {
            Counter(_items, item.ItemId).Add(impression.At, 1, 0);
            Shown(impression.UserId, item.ItemId);
        }

        Impressions += impression.Items.Count;
        if (_early.Remove(impression.RecommendationId, out var waiting))
        {
            foreach (var (user, item, at) in waiting) Join(open, user, item, at, rows);
        }

        while (_open.Count > _o.MaxOpenImpressions && _openOrder.TryDequeue(out var oldest)) Close(oldest.Id, rows);
    }

    public void OnClick(string recommendationId, string userId, string itemId, DateTimeOffset at, List<CtrRow> rows)
    {
        if (_open.TryGetValue(recommendationId, out var open))
        {
            Join(open, userId, itemId, at, rows);
            return;
        }

        if (!_early.TryGetValue(recommendationId, out var list))
        {
            if (_early.Count >= _o.MaxOpenImpressions)
            {
                UnmatchedClicks++;
                return;
            }

            _early[recommendationId] = list = [];
            _earlyOrder.Enqueue((at, recommendationId));
        }

        list.Add((userId, itemId, at));
    }

    /// <summary>Lists served more than the click window before <paramref name="now"/> stop waiting: the unclicked items of
    /// this node's lists become negative rows; clicks still waiting for a list that never came are dropped.</summary>
    public void Advance(DateTimeOffset now, List<CtrRow> rows)
    {
        var horizon = now - _o.ClickWindow - _o.ClockSkew;
        while (_openOrder.TryPeek(out var head) && head.At < horizon)
        {
            _openOrder.Dequeue();
            Close(head.Id, rows);
        }

        while (_earlyOrder.TryPeek(out var head) && head.At < horizon)
        {
            _earlyOrder.Dequeue();
            if (_early.Remove(head.Id, out var lost)) UnmatchedClicks += lost.Count;
        }
    }

    public CtrEstimate ItemCtr(string itemId, CtrWindow window, DateTimeOffset now) =>
        _items.TryGetValue(itemId, out var c) ? c.In(window, now) : default;

    public CtrEstimate SlotCtr(string slot, CtrWindow window, DateTimeOffset now) =>
        _slots.TryGetValue(slot, out var c) ? c.In(window, now) : default;

    /// <summary>Items shown to <paramref name="userId"/> at least <see cref="CtrOptions.FatigueImpressions"/> times since
    /// their last click there (none when the rule is off).</summary>
    public IReadOnlySet<string> Fatigued(string userId)
    {
        if (_o.FatigueImpressions <= 0 || !_unclicked.TryGetValue(userId, out var items)) return EmptySet;
        HashSet<string>? tired = null;
        foreach (var (item, shown) in items)
        {
            if (shown >= _o.FatigueImpressions) (tired ??= new HashSet<string>(StringComparer.Ordinal)).Add(item);
        }

        return tired ?? EmptySet;
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    private void Join(Open open, string userId, string itemId, DateTimeOffset at, List<CtrRow> rows)
    {
        var i = open.Impression;
        var index = i.IndexOf(itemId);
        if (index < 0 || open.Clicked[index] || userId != i.UserId || at < i.At - _o.ClockSkew || at > i.At + _o.ClickWindow)
        {
            UnmatchedClicks++;
            return;
        }

        open.Clicked[index] = true;
        Clicks++;
        Counter(_items, itemId).Add(i.At, 0, 1);
        Counter(_slots, i.SlotKey).Add(i.At, 0, 1);
        if (_unclicked.TryGetValue(userId, out var shown)) shown.Remove(itemId);
        if (Own(i)) AddRow(rows, i, index, clicked: true);
    }

    private void Close(string id, List<CtrRow> rows)
    {
        if (!_open.Remove(id, out var open)) return;
        if (!Own(open.Impression)) return;
        for (var k = 0; k < open.Clicked.Length; k++)
        {
            if (!open.Clicked[k]) AddRow(rows, open.Impression, k, clicked: false);
        }
    }

    private bool Own(Impression i) => localNode is not null && i.Node == localNode && i.At >= rowsFrom;

    private static void AddRow(List<CtrRow> rows, Impression i, int index, bool clicked)
    {
        var item = i.Items[index];
        if (item.Features is { } features)
            rows.Add(new CtrRow(i.RecommendationId, i.UserId, item.ItemId, i.SlotKey, i.At, item.Position, features, clicked));
    }

    private void Shown(string userId, string itemId)
    {
        if (_o.FatigueImpressions <= 0) return;
        if (!_unclicked.TryGetValue(userId, out var items))
        {
            _unclicked[userId] = items = new Dictionary<string, int>(StringComparer.Ordinal);
            _unclickedOrder.Enqueue(userId);
            while (_unclicked.Count > _o.MaxFatigueUsers && _unclickedOrder.TryDequeue(out var oldest)) _unclicked.Remove(oldest);
        }

        items[itemId] = items.GetValueOrDefault(itemId) + 1;
        if (items.Count > _o.MaxFatigueItemsPerUser) items.Remove(items.MinBy(kv => kv.Value).Key);
    }

    private CtrCounter Counter(Dictionary<string, CtrCounter> counters, string key)
    {
        if (counters.TryGetValue(key, out var c)) return c;
        if (counters.Count >= _o.MaxCounters)
        {
            foreach (var stale in counters.OrderBy(kv => kv.Value.LastTouched).Take(Math.Max(1, counters.Count / 10)).Select(kv => kv.Key).ToArray())
                counters.Remove(stale);
        }

        return counters[key] = new CtrCounter();
    }
}
