using System.Runtime.InteropServices;
using DmpActors.Domain.Events;

namespace DmpActors.Domain.Profiles.Windows;

/// <summary>
/// A user's behaviour metrics in event-time buckets (the layout is <see cref="BucketGrid"/>: 60 minute, 24 hour and
/// 30 day buckets behind the watermark, the latest event time seen), from which 1h/24h/7d/30d values are read.
/// Immutable and compact: every (bucket, metric) count is one 64-bit word in a sorted array — no object per bucket.
/// </summary>
/// <remarks>
/// <para>Metrics ("series"): events per type, revenue in cents, sessions (counted at the bucket where each session
/// starts), product views per category (31 named + "(other)"), offer impressions and clicks per campaign (31 + other).
/// Distinct items are kept by <see cref="DistinctItems"/>.</para>
/// <para>Event time: an event later than the watermark advances it (older buckets roll into coarser ones); an event
/// up to <see cref="ProfileRules.AllowedLateness"/> behind it lands in the bucket its time belongs to; an older one is
/// too late and only counted in <see cref="TooLateEvents"/>. The result of a set of events that were each within the
/// lateness on arrival does not depend on their order.</para>
/// <para>Words for the watermark's own minute live in a small head array, so the common event copies a few words,
/// not the whole array; the rest is rebuilt only when the watermark enters a new minute or a late event arrives.</para>
/// <para><see cref="Merge"/> folds another user's windows into these exactly as if both users' events had been
/// applied to one profile (sessions that touch across the two are joined). Counts add, so merging the same windows
/// twice counts them twice: the caller must merge once. Values are commutative; the order of category and campaign
/// names inside is not.</para>
/// </remarks>
public sealed class BehaviourWindows : IEquatable<BehaviourWindows>
{
    public static BehaviourWindows Empty { get; } = new(None, [], [], [], DistinctItems.Empty, [], [], 0, 0);

    public const int MaxNamedKeys = 31;
    public const string OtherKey = "(other)";

    internal const int TypeSeries = 0, RevenueSeries = 16, SessionSeries = 17, CategorySeries = 32, CampaignSeries = 64, SeriesCount = 128;
    private const long None = long.MinValue;
    private const ulong ValueMask = (1UL << 48) - 1;

    private readonly long _watermark;   // UTC ticks of the latest event time seen, or None
    private readonly byte[] _settled;   // sorted words (position << 57 | series << 48 | value), packed (PackedWords)
    private readonly ulong[] _head;     // words of the watermark's minute
    private readonly long[] _spans;     // recent sessions as (first, last) event ticks, sorted
    private readonly string[] _categories;
    private readonly string[] _campaigns;

    private BehaviourWindows(long watermark, byte[] settled, ulong[] head, long[] spans, DistinctItems items,
        string[] categories, string[] campaigns, long sessions, long tooLate)
    {
        _watermark = watermark;
        _settled = settled;
        _head = head;
        _spans = spans;
        Items = items;
        _categories = categories;
        _campaigns = campaigns;
        LifetimeSessions = sessions;
        TooLateEvents = tooLate;
    }

    /// <summary>The latest event time recorded, or null before the first event.</summary>
    public DateTimeOffset? Watermark => _watermark == None ? null : new DateTimeOffset(_watermark, TimeSpan.Zero);

    public DistinctItems Items { get; }

    /// <summary>Sessions ever counted (events dropped as too late or while analytics was denied are not in it).</summary>
    public long LifetimeSessions { get; }

    /// <summary>Events that arrived too late for the windows.</summary>
    public long TooLateEvents { get; }

    /// <summary>Number of (bucket, metric) words held (about 2 bytes each when packed, 8 in the head).</summary>
    public int WordCount => PackedWords.Count(_settled) + _head.Length;

    /// <summary>
    /// Applies one event. <paramref name="recording"/> false (analytics denied) still moves the watermark and reports
    /// lateness, but nothing is counted.
    /// </summary>
    public (BehaviourWindows Windows, bool TooLate) Record(UserEvent e, ProfileRules rules, bool recording)
    {
        var t = e.Timestamp.UtcTicks;
        var w = _watermark == None || t > _watermark ? AdvanceTo(t, rules) : this;
        if (t < w._watermark - rules.AllowedLateness.Ticks)
            return (w.With(w._settled, w._head, w._spans, w.Items, w._categories, w._campaigns, w.LifetimeSessions, Saturating.Add(w.TooLateEvents, 1)), true);
        return recording ? (w.Count(e, t, rules), false) : (w, false);
    }

    /// <summary>Values over the window of length <paramref name="span"/> ending at <paramref name="now"/>. A bucket
    /// counts when it overlaps the window, so edges are as coarse as the bucket at that age (minute, hour, day).</summary>
    public WindowValues ValuesFor(TimeSpan span, DateTimeOffset now)
    {
        var sums = new long[SeriesCount];
        var nowMinute = BucketGrid.MinuteOf(now);
        var from = nowMinute - (long)span.TotalMinutes + 1;
        if (_watermark != None)
        {
            var wm = BucketGrid.MinuteOf(Watermark!.Value);
            Sum(PackedWords.Unpack(_settled), wm, from, nowMinute, sums);
            Sum(_head, wm, from, nowMinute, sums);
        }

        var types = new Dictionary<EventType, long>();
        foreach (var type in EventTypes.All)
        {
            if (sums[TypeSeries + (int)type] is var n and > 0) types[type] = n;
        }

        var (distinct, exact) = Items.CountSince(from, nowMinute);
        return new WindowValues(
            types,
            Named(_categories, sums, CategorySeries, 1),
            distinct,
            exact,
            sums[RevenueSeries] / 100m,
            sums[SessionSeries],
            Named(_campaigns, sums, CampaignSeries, 2),
            Named(_campaigns, sums, CampaignSeries + 1, 2));
    }

    /// <summary>Folds <paramref name="other"/> into these windows (see the type's remarks).</summary>
    public BehaviourWindows Merge(BehaviourWindows other, ProfileRules rules)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._watermark == None) return this;
        if (_watermark == None) return other;
        var watermark = Math.Max(_watermark, other._watermark);
        var a = AdvanceTo(watermark, rules);
        var b = other.AdvanceTo(watermark, rules);

        var categories = a._categories;
        var campaigns = a._campaigns;
        var words = new List<ulong>(a.WordCount + b.WordCount);
        words.AddRange(PackedWords.Unpack(a._settled));
        words.AddRange(a._head);
        foreach (var word in PackedWords.Unpack(b._settled).Concat(b._head))
        {
            var series = Series(word);
            if (series >= CampaignSeries) series = CampaignSeries + 2 * KeyIndex(ref campaigns, b._campaigns[(series - CampaignSeries) / 2]) + (series - CampaignSeries) % 2;
            else if (series >= CategorySeries) series = CategorySeries + KeyIndex(ref categories, b._categories[series - CategorySeries]);
            words.Add(Word(Position(word), series, Value(word)));
        }

        var wm = BucketGrid.MinuteOf(new DateTimeOffset(watermark, TimeSpan.Zero));
        var (settled, head) = Split(Coalesce(words), wm);
        var draft = new Draft(settled, head, wm);
        var spans = a._spans;
        for (var k = 0; k < b._spans.Length; k += 2) spans = JoinSpan(spans, b._spans[k], b._spans[k + 1], rules.SessionGap.Ticks, ref draft);
        var oldestDay = OldestDay(wm);
        return new BehaviourWindows(watermark, draft.Settled, draft.Head, spans, a.Items.Merge(b.Items, rules.DistinctItemsExactBound, oldestDay),
            categories, campaigns, Saturating.Add(Saturating.Add(a.LifetimeSessions, b.LifetimeSessions), draft.SessionDelta),
            Saturating.Add(a.TooLateEvents, b.TooLateEvents));
    }

    /// <summary>Persisted parts, in the order <see cref="Restore"/> takes them.</summary>
    public (long Watermark, ulong[] Words, long[] Spans, string[] Categories, string[] Campaigns, long LifetimeSessions, long TooLateEvents) Parts =>
        (_watermark, Coalesce([.. PackedWords.Unpack(_settled), .. _head]), _spans, _categories, _campaigns, LifetimeSessions, TooLateEvents);

    /// <summary>Rebuilds windows from <see cref="Parts"/> and the distinct items; rejects words that cannot be valid.</summary>
    public static BehaviourWindows Restore(long watermark, ulong[] words, long[] spans, string[] categories, string[] campaigns,
        long lifetimeSessions, long tooLateEvents, DistinctItems items)
    {
        if (watermark == None)
        {
            if (words.Length > 0 || spans.Length > 0) throw new FormatException("windows without a watermark must be empty");
            return lifetimeSessions == 0 && tooLateEvents == 0 && items.ExactCount == 0 ? Empty
                : new BehaviourWindows(None, [], [], [], items, categories, campaigns, lifetimeSessions, tooLateEvents);
        }

        if (spans.Length % 2 != 0) throw new FormatException("session spans must be (first, last) pairs");
        if (categories.Length > MaxNamedKeys + 1 || campaigns.Length > MaxNamedKeys + 1) throw new FormatException("too many window keys");
        for (var i = 0; i < words.Length; i++)
        {
            var (position, series) = (Position(words[i]), Series(words[i]));
            var valid = position < BucketGrid.Positions
                        && (series < CategorySeries || (series < CampaignSeries ? series - CategorySeries < categories.Length : (series - CampaignSeries) / 2 < campaigns.Length))
                        && series < SeriesCount && (i == 0 || words[i] >> 48 > words[i - 1] >> 48);
            if (!valid) throw new FormatException($"invalid window word {words[i]:x16}");
        }

        var (settled, head) = Split(words, BucketGrid.MinuteOf(new DateTimeOffset(watermark, TimeSpan.Zero)));
        return new BehaviourWindows(watermark, settled, head, spans, items, categories, campaigns, lifetimeSessions, tooLateEvents);
    }

    public bool Equals(BehaviourWindows? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_watermark == other._watermark && LifetimeSessions == other.LifetimeSessions && TooLateEvents == other.TooLateEvents
                && _settled.AsSpan().SequenceEqual(other._settled) && _head.AsSpan().SequenceEqual(other._head)
                && _spans.AsSpan().SequenceEqual(other._spans) && Items.Equals(other.Items)
                && _categories.AsSpan().SequenceEqual(other._categories) && _campaigns.AsSpan().SequenceEqual(other._campaigns)));

    public override bool Equals(object? obj) => Equals(obj as BehaviourWindows);

    public override int GetHashCode() => HashCode.Combine(_watermark, WordCount, LifetimeSessions);

    private BehaviourWindows With(byte[] settled, ulong[] head, long[] spans, DistinctItems items, string[] categories, string[] campaigns,
        long sessions, long tooLate) =>
        new(_watermark, settled, head, spans, items, categories, campaigns, sessions, tooLate);

    /// <summary>Moves the watermark forward to <paramref name="ticks"/>: rolls buckets into coarser tiers, forgets
    /// sessions no accepted event can reach any more and sketches older than the day tier.</summary>
    private BehaviourWindows AdvanceTo(long ticks, ProfileRules rules)
    {
        var newMinute = BucketGrid.MinuteOf(new DateTimeOffset(ticks, TimeSpan.Zero));
        if (_watermark == None) return new BehaviourWindows(ticks, [], [], [], Items, _categories, _campaigns, LifetimeSessions, TooLateEvents);
        var oldMinute = BucketGrid.MinuteOf(Watermark!.Value);
        var settled = _settled;
        var head = _head;
        if (newMinute != oldMinute) (settled, head) = Roll(_settled, _head, oldMinute, newMinute);

        var reach = ticks - rules.AllowedLateness.Ticks - rules.SessionGap.Ticks;
        var keep = 0;
        while (keep < _spans.Length && _spans[keep + 1] < reach) keep += 2;
        var spans = keep == 0 ? _spans : _spans[keep..];
        return new BehaviourWindows(ticks, settled, head, spans, Items.Expire(OldestDay(newMinute)), _categories, _campaigns, LifetimeSessions, TooLateEvents);
    }

    /// <summary>Re-buckets words for a new watermark minute. Positions are mapped once (114 of them); words whose
    /// bucket stays put keep their order, and only the few that move are sorted and merged back in. This runs for the
    /// first event of every minute a user is active, so it works in per-thread scratch lists: the packed result (and
    /// a head, when words land in the new head minute) is all it allocates.</summary>
    private static (byte[] Settled, ulong[] Head) Roll(byte[] settled, ulong[] head, long oldMinute, long newMinute)
    {
        var scratch = t_scratch ??= new RollScratch();
        var map = scratch.MapFor(oldMinute, newMinute);
        scratch.Moved.Clear();
        PackedWords.UnpackInto(settled, scratch.Settled);
        var stayed = Place(scratch.Settled, map, scratch.Moved);
        scratch.Head.Clear();
        scratch.Head.AddRange(head);
        var headStayed = Place(scratch.Head, map, scratch.Moved);
        MergeInto(CollectionsMarshal.AsSpan(scratch.Settled)[..stayed], CollectionsMarshal.AsSpan(scratch.Head)[..headStayed], scratch.Merged);
        var moved = CoalesceInPlace(scratch.Moved);
        MergeInto(CollectionsMarshal.AsSpan(scratch.Merged), CollectionsMarshal.AsSpan(scratch.Moved)[..moved], scratch.Settled);
        return Split(CollectionsMarshal.AsSpan(scratch.Settled), newMinute);

        // Keeps the words that stay (compacted at the front, order kept) and appends the re-bucketed ones to moved.
        static int Place(List<ulong> words, ReadOnlySpan<int> map, List<ulong> moved)
        {
            var span = CollectionsMarshal.AsSpan(words);
            var kept = 0;
            foreach (var word in span)
            {
                var to = map[Position(word)];
                if (to == Position(word)) span[kept++] = word;
                else if (to >= 0) moved.Add(Word(to, Series(word), Value(word)));
            }

            return kept;
        }
    }

    [ThreadStatic] private static RollScratch? t_scratch;

    /// <summary>Reused lists for <see cref="Roll"/> (each call clears what it uses) and the last position map: users
    /// active in the same minutes roll between the same watermarks, so most rolls reuse it.</summary>
    private sealed class RollScratch
    {
        public readonly List<ulong> Settled = new(256), Head = new(16), Moved = new(64), Merged = new(256);
        private readonly int[] _map = new int[BucketGrid.Positions];
        private long _mapFrom = None, _mapTo = None;

        /// <summary>Where the bucket at each position under watermark minute <paramref name="from"/> rests under <paramref name="to"/> (−1: dropped).</summary>
        public ReadOnlySpan<int> MapFor(long from, long to)
        {
            if (from != _mapFrom || to != _mapTo)
            {
                for (var p = 0; p < _map.Length; p++)
                {
                    var (tier, index) = BucketGrid.Locate(p, from);
                    _map[p] = BucketGrid.Settle(tier, index, to);
                }

                (_mapFrom, _mapTo) = (from, to);
            }

            return _map;
        }
    }

    private BehaviourWindows Count(UserEvent e, long t, ProfileRules rules)
    {
        var wm = BucketGrid.MinuteOf(Watermark!.Value);
        var minute = BucketGrid.MinuteOf(e.Timestamp);
        var position = BucketGrid.Settle(BucketGrid.MinuteTier, minute, wm);
        var draft = new Draft(_settled, _head, wm);
        var categories = _categories;
        var campaigns = _campaigns;
        var items = Items;

        draft.Add(position, TypeSeries + (int)e.Type, 1);
        switch (e.Type)
        {
            case EventType.ProductView:
                if (e.Category is not null) draft.Add(position, CategorySeries + KeyIndex(ref categories, e.Category), 1);
                if (e.ItemId is not null) items = items.Record(DistinctItems.HashOf(e.ItemId), minute, rules.DistinctItemsExactBound, OldestDay(wm));
                break;
            case EventType.Purchase when e.OrderId is not null:
                // A count holds at most ValueMask: larger revenue saturates there (2.8e12 money units per bucket).
                var cents = Math.Min(Saturating.CentsOf(e.Revenue ?? Saturating.SumOf(e.Items)), (long)ValueMask);
                if (cents > 0) draft.Add(position, RevenueSeries, cents);
                break;
            case EventType.OfferImpression or EventType.OfferClick when e.CampaignId is not null:
                draft.Add(position, CampaignSeries + 2 * KeyIndex(ref campaigns, e.CampaignId) + (e.Type == EventType.OfferClick ? 1 : 0), 1);
                break;
        }

        var spans = RecordSession(_spans, t, rules.SessionGap.Ticks, ref draft);
        return new BehaviourWindows(_watermark, draft.Settled, draft.Head, spans, items, categories, campaigns, Saturating.Add(LifetimeSessions, draft.SessionDelta), TooLateEvents);
    }

    /// <summary>Adds an event to the recent sessions: a new session counts one at its start; an event that joins or
    /// bridges sessions moves or removes their starts.</summary>
    private static long[] RecordSession(long[] spans, long t, long gap, ref Draft draft)
    {
        // Common case: the event falls in or just after the latest session (sessions are more than a gap apart, so
        // it cannot touch an earlier one).
        var n = spans.Length;
        if (n > 0 && t >= spans[n - 2] && t <= spans[n - 1] + gap)
        {
            if (t <= spans[n - 1]) return spans;
            var extended = (long[])spans.Clone();
            extended[n - 1] = t;
            return extended;
        }

        draft.AddSessionStart(t, 1);
        return JoinSpan(spans, t, t, gap, ref draft);
    }

    /// <summary>Inserts a session [first, last] whose start is already counted, joining every recent session within
    /// the gap of it; of all the joined starts only the earliest stays counted.</summary>
    private static long[] JoinSpan(long[] spans, long first, long last, long gap, ref Draft draft)
    {
        var count = spans.Length / 2;
        var i = 0;
        while (i < count && spans[2 * i + 1] + gap < first) i++;
        var j = i;
        while (j < count && spans[2 * j] - gap <= last) j++;

        var start = first;
        var end = last;
        for (var k = i; k < j; k++)
        {
            start = Math.Min(start, spans[2 * k]);
            end = Math.Max(end, spans[2 * k + 1]);
        }

        var kept = false;
        for (var k = i - 1; k < j; k++)
        {
            var s = k < i ? first : spans[2 * k];
            if (s == start && !kept) kept = true;
            else draft.AddSessionStart(s, -1);
        }

        var next = new long[spans.Length - 2 * (j - i) + 2];
        Array.Copy(spans, next, 2 * i);
        next[2 * i] = start;
        next[2 * i + 1] = end;
        Array.Copy(spans, 2 * j, next, 2 * i + 2, spans.Length - 2 * j);
        return next;
    }

    /// <summary>The index of a category or campaign name, adding it while there is room; later names share
    /// <see cref="OtherKey"/>.</summary>
    private static int KeyIndex(ref string[] keys, string key)
    {
        var i = Array.IndexOf(keys, key);
        if (i >= 0 && (i < MaxNamedKeys || key == OtherKey)) return i;
        if (keys.Length < MaxNamedKeys)
        {
            keys = [.. keys, key];
            return keys.Length - 1;
        }

        if (keys.Length == MaxNamedKeys) keys = [.. keys, OtherKey];
        return MaxNamedKeys;
    }

    private static Dictionary<string, long> Named(string[] keys, long[] sums, int firstSeries, int stride)
    {
        var named = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            if (sums[firstSeries + stride * i] is var n and > 0) named[keys[i]] = n;
        }

        return named;
    }

    private static void Sum(ulong[] words, long wm, long from, long to, long[] sums)
    {
        Span<bool> inside = stackalloc bool[BucketGrid.Positions];
        for (var p = 0; p < inside.Length; p++)
        {
            var (start, length) = BucketGrid.Span(p, wm);
            inside[p] = start <= to && start + length - 1 >= from;
        }

        foreach (var word in words)
        {
            if (inside[Position(word)]) sums[Series(word)] += Value(word);
        }
    }

    private static long OldestDay(long wm) => BucketGrid.FloorDiv(wm, BucketGrid.MinutesPerDay) - 30;

    private static ulong Word(int position, int series, long value) => (ulong)(uint)position << 57 | (ulong)(uint)series << 48 | (ulong)value;

    private static int Position(ulong word) => (int)(word >> 57);

    private static int Series(ulong word) => (int)(word >> 48) & 0x1FF;

    private static long Value(ulong word) => (long)(word & ValueMask);

    /// <summary>Merges two sorted word lists into <paramref name="into"/> (cleared first), adding up words for the same key.</summary>
    private static void MergeInto(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, List<ulong> into)
    {
        into.Clear();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && a[i] >> 48 < b[j] >> 48)) into.Add(a[i++]);
            else if (i == a.Length || b[j] >> 48 < a[i] >> 48) into.Add(b[j++]);
            else into.Add((a[i] & ~ValueMask) | (ulong)Math.Min((long)ValueMask, Value(a[i++]) + Value(b[j++])));
        }
    }

    /// <summary>Sorts words by (position, series) and adds up words for the same key, in place; returns the count kept.</summary>
    private static int CoalesceInPlace(List<ulong> words)
    {
        words.Sort();
        var span = CollectionsMarshal.AsSpan(words);
        var n = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (n > 0 && span[n - 1] >> 48 == span[i] >> 48)
                span[n - 1] = (span[n - 1] & ~ValueMask) | (ulong)Math.Min((long)ValueMask, Value(span[n - 1]) + Value(span[i]));
            else span[n++] = span[i];
        }

        return n;
    }

    /// <summary>Splits sorted words into the packed settled ones and the head minute's ones.</summary>
    private static (byte[] Settled, ulong[] Head) Split(ReadOnlySpan<ulong> words, long wm)
    {
        var headPosition = (int)BucketGrid.Mod(wm, 60);
        var from = 0;
        while (from < words.Length && Position(words[from]) < headPosition) from++;
        var to = from;
        while (to < words.Length && Position(words[to]) == headPosition) to++;
        if (from == to) return (PackedWords.Pack(words), []);
        return (PackedWords.Pack([.. words[..from], .. words[to..]]), words[from..to].ToArray());
    }

    /// <summary>Sorts words by (position, series) and adds up words for the same key.</summary>
    private static ulong[] Coalesce(List<ulong> words)
    {
        var kept = CoalesceInPlace(words);
        return CollectionsMarshal.AsSpan(words)[..kept].ToArray();
    }

    /// <summary>The arrays being changed by one operation; each change copies only the array it touches, and the
    /// packed words are unpacked only when a change reaches them.</summary>
    private struct Draft(byte[] settled, ulong[] head, long wm)
    {
        private ulong[]? _settledWords;
        public ulong[] Head = head;

        public readonly byte[] Settled => _settledWords is null ? settled : PackedWords.Pack(_settledWords);
        public long SessionDelta;
        private readonly int _headPosition = (int)BucketGrid.Mod(wm, 60);

        public void AddSessionStart(long ticks, int delta)
        {
            var position = BucketGrid.Settle(BucketGrid.MinuteTier, BucketGrid.MinuteOf(new DateTimeOffset(ticks, TimeSpan.Zero)), wm);
            if (position < 0) return;
            Add(position, SessionSeries, delta);
            SessionDelta += delta;
        }

        public void Add(int position, int series, long delta)
        {
            if (position == _headPosition) Head = WithDelta(Head, position, series, delta);
            else _settledWords = WithDelta(_settledWords ?? PackedWords.Unpack(settled), position, series, delta);
        }

        private static ulong[] WithDelta(ulong[] words, int position, int series, long delta)
        {
            var key = (ulong)(uint)position << 9 | (uint)series;
            int lo = 0, hi = words.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var k = words[mid] >> 48;
                if (k == key)
                {
                    var value = Math.Clamp(Value(words[mid]) + delta, 0, (long)ValueMask);
                    if (value == 0) return [.. words.AsSpan(0, mid), .. words.AsSpan(mid + 1)];
                    var updated = (ulong[])words.Clone();
                    updated[mid] = Word(position, series, value);
                    return updated;
                }

                if (k < key) lo = mid + 1;
                else hi = mid - 1;
            }

            if (delta <= 0) return words;
            var next = new ulong[words.Length + 1];
            Array.Copy(words, next, lo);
            next[lo] = Word(position, series, Math.Min(delta, (long)ValueMask));
            Array.Copy(words, lo, next, lo + 1, words.Length - lo);
            return next;
        }
    }
}
