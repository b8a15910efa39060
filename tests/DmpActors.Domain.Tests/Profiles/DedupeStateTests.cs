using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Tests.Profiles;

public class DedupeStateTests
{
    private static ulong[] Hashes(params string[] ids) => ids.Select(DedupeState.HashOf).ToArray();

    [Fact]
    public void Restore_rebuilds_an_equal_state_from_its_persisted_parts()
    {
        var state = DedupeState.Empty;
        for (var i = 0; i < 300; i++) state = state.Record($"id-{i}", new EventPosition(i % 3, i));

        var restored = DedupeState.Restore(state.RecentEventIdHashes, state.HighestOffsetByPartition);

        Assert.Equal(state, restored);
        Assert.Equal(state.RecentEventIdHashes, restored.RecentEventIdHashes);
        Assert.True(restored.Seen("id-299"));
        Assert.False(restored.Seen("id-0"));
        Assert.True(restored.IsReplay(new EventPosition(2, 299)));
        Assert.False(restored.IsReplay(new EventPosition(2, 300)));
    }

    [Fact]
    public void Restore_keeps_the_log_generation()
    {
        var state = DedupeState.Empty.Record("a", new EventPosition(4, 10, Generation: 3)).Record("b", new EventPosition(1, 2, Generation: 3));

        var restored = DedupeState.Restore(state.RecentEventIdHashes, state.LogGeneration, state.HighestOffsetByPartition);

        Assert.Equal(3, restored.LogGeneration);
        Assert.Equal(state, restored);
        Assert.True(restored.IsReplay(new EventPosition(4, 10, 3)));
        Assert.False(restored.IsReplay(new EventPosition(4, 10, 4)));
        Assert.NotEqual(state, DedupeState.Restore(state.RecentEventIdHashes, 2, state.HighestOffsetByPartition));
    }

    [Fact]
    public void Window_holds_at_least_capacity_ids_newest_last()
    {
        var state = DedupeState.Empty;
        for (var i = 0; i < 1000; i++)
        {
            state = state.Record($"id-{i}", null);
            var hashes = state.RecentEventIdHashes;
            Assert.InRange(hashes.Count, Math.Min(i + 1, DedupeState.Capacity), DedupeState.Capacity + 16);
            Assert.Equal(DedupeState.HashOf($"id-{i}"), hashes[^1]);
        }
    }

    [Fact]
    public void Offsets_never_move_backwards()
    {
        var state = DedupeState.Empty.Record("a", new EventPosition(0, 10)).Record("b", new EventPosition(0, 4));
        Assert.Equal(10, state.HighestOffset(0));
        Assert.Null(state.HighestOffset(1));
    }

    [Fact]
    public void Ids_are_compared_ordinally()
    {
        var state = DedupeState.Empty.Record("Abc", null);
        Assert.True(state.Seen("Abc"));
        Assert.False(state.Seen("abc"));
        Assert.False(state.Seen("Abc "));
        Assert.False(state.Seen("Ａbc")); // a fullwidth A: a different id, whatever normalisation would say
    }

    [Fact]
    public void The_id_hash_is_xxh3_of_the_utf8_bytes_and_never_changes()
    {
        // Persisted in every profile: a different hash for the same id would let replays of old events through.
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64("order-1"u8), DedupeState.HashOf("order-1"));
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64("café-ü"u8), DedupeState.HashOf("café-ü"));
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64([]), DedupeState.HashOf(""));
        var longId = new string('x', 2000); // longer than the contract allows: hashed on the heap, same function
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(longId)), DedupeState.HashOf(longId));
    }

    [Fact]
    public void Distinct_ids_of_one_producer_style_do_not_collide()
    {
        // Structured ids that differ in one character, at every position, and 200K sequential ids: no two share a hash.
        var ids = Enumerable.Range(0, 200_000).Select(i => $"evt-{i:D10}")
            .Concat(Enumerable.Range(0, 36).SelectMany(p => "0123456789abcdef".Select(c => new string('a', p) + c + new string('a', 35 - p))))
            .Distinct().ToArray();
        Assert.Equal(ids.Length, ids.Select(DedupeState.HashOf).Distinct().Count());
    }

    [Fact]
    public void Concurrent_branches_from_one_state_do_not_see_each_other()
    {
        var root = DedupeState.Empty.Record("root", null);
        var branches = new DedupeState[64];
        Parallel.For(0, branches.Length, i => branches[i] = root.Record($"b{i}", null));
        for (var i = 0; i < branches.Length; i++)
        {
            Assert.Equal(Hashes("root", $"b{i}"), branches[i].RecentEventIdHashes);
        }

        Assert.Equal(Hashes("root"), root.RecentEventIdHashes);
    }
}
