namespace DmpActors.Engine.Storage;

/// <summary>The segment member index, kept beside the rows: each row holds its user's segments, and every change of a
/// row goes through <see cref="PutRow"/>, which keeps the per-segment sets in step with it.</summary>
public sealed partial class InMemoryProfileStore
{
    private readonly Dictionary<string, SortedSet<string>> _members = new(StringComparer.Ordinal);

    /// <summary>Writes (or with null removes) the row of <paramref name="id"/> and its member rows.</summary>
    /// <returns>True when a row was there before.</returns>
    private bool PutRow(string id, Row? row)
    {
        var existed = _profiles.Remove(id, out var before);
        if (existed)
            foreach (var segment in before.Segments)
                if (_members.TryGetValue(segment, out var members) && members.Remove(id) && members.Count == 0) _members.Remove(segment);
        if (row is not { } written) return existed;
        _profiles[id] = written;
        foreach (var segment in written.Segments)
        {
            if (!_members.TryGetValue(segment, out var members)) _members[segment] = members = new SortedSet<string>(StringComparer.Ordinal);
            members.Add(id);
        }
        return existed;
    }

    public Task<IReadOnlyList<string>> LoadSegmentMembersAsync(string segmentId, string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Transaction<IReadOnlyList<string>>(() =>
        {
            if (!_members.TryGetValue(segmentId, out var members) || members.Count == 0) return [];
            if (after is null) return members.Take(limit).ToList();
            // A view from just after the cursor: ordinal order puts after + "\0" first among the ids greater than it.
            var max = members.Max!;
            return string.CompareOrdinal(after, max) >= 0 ? [] : members.GetViewBetween(after + "\0", max).Take(limit).ToList();
        }, ct);
    }

    public Task<long> CountSegmentMembersAsync(string segmentId, CancellationToken ct = default) =>
        Transaction(() => (long)(_members.TryGetValue(segmentId, out var members) ? members.Count : 0), ct);

    /// <summary>Linear in the number of rows per page: this store holds what a test puts in it.</summary>
    public Task<IReadOnlyList<string>> ScanIdsAsync(string? after, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Transaction<IReadOnlyList<string>>(() => _profiles.Keys
            .Where(id => after is null || string.CompareOrdinal(id, after) > 0)
            .Order(StringComparer.Ordinal)
            .Take(limit)
            .ToList(), ct);
    }
}
