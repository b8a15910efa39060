namespace DmpActors.Domain.Recommendations;

/// <summary>
/// The recent shopping state per user that co-occurrence needs: the items viewed in the current session (a session
/// ends after <c>SessionGap</c> without a view) and the items bought lately. Bounded: at most <c>MaxUsers</c> users
/// (the least recently active leaves first), <c>MaxSessionItems</c> items per session and <c>MaxBoughtItems</c>
/// bought items per user; about MaxUsers × 1.5 KB (defaults: 100,000 users ≈ 150 MB worst case).
/// </summary>
public sealed class SessionTracker
{
    private readonly Dictionary<string, LinkedListNode<UserState>> _users = new(StringComparer.Ordinal);
    private readonly LinkedList<UserState> _recency = new();

    public SessionTracker(SessionOptions? options = null) => Options = options ?? SessionOptions.Default;

    public SessionOptions Options { get; }

    public int UserCount => _users.Count;

    /// <summary>Records a view: a new session when the gap since the user's last view is exceeded. Counts the session
    /// as a transaction in <paramref name="coViewed"/> (its first view starts one; each new item pairs with the earlier ones).</summary>
    public void OnView(string userId, string itemId, DateTimeOffset at, CoOccurrence coViewed)
    {
        var user = Touch(userId);
        if (user.LastView is not { } last || at - last > Options.SessionGap || at < last - Options.SessionGap)
        {
            user.Session.Clear();
            coViewed.StartTransaction();
        }

        if (at > user.LastView || user.LastView is null) user.LastView = at;
        if (user.Session.Contains(itemId, StringComparer.Ordinal) || user.Session.Count >= Options.MaxSessionItems) return;
        coViewed.AddToTransaction(itemId, user.Session);
        user.Session.Add(itemId);
    }

    /// <summary>Remembers bought items, newest first.</summary>
    public void OnPurchase(string userId, IEnumerable<string> itemIds)
    {
        var bought = Touch(userId).Bought;
        foreach (var id in itemIds)
        {
            bought.Remove(id);
            bought.Insert(0, id);
            if (bought.Count > Options.MaxBoughtItems) bought.RemoveAt(bought.Count - 1);
        }
    }

    /// <summary>The items bought lately by the user, newest first.</summary>
    public IReadOnlyList<string> BoughtBy(string userId) =>
        _users.TryGetValue(userId, out var node) ? node.Value.Bought.ToArray() : [];

    /// <summary>The items of the user's current session, in the order viewed.</summary>
    public IReadOnlyList<string> SessionOf(string userId) =>
        _users.TryGetValue(userId, out var node) ? node.Value.Session.ToArray() : [];

    private UserState Touch(string userId)
    {
        if (_users.TryGetValue(userId, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }

        if (_users.Count >= Options.MaxUsers)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _users.Remove(oldest.Value.UserId);
        }

        node = _recency.AddFirst(new UserState(userId));
        _users[userId] = node;
        return node.Value;
    }

    private sealed class UserState(string userId)
    {
        public string UserId { get; } = userId;
        public DateTimeOffset? LastView;
        public readonly List<string> Session = [];
        public readonly List<string> Bought = [];
    }
}

public sealed record SessionOptions
{
    public static SessionOptions Default { get; } = new();

    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);
    public int MaxUsers { get; init; } = 100_000;
    public int MaxSessionItems { get; init; } = 20;
    public int MaxBoughtItems { get; init; } = 50;
}
