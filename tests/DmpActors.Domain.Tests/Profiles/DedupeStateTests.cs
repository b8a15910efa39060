using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Tests.Profiles;

public class DedupeStateTests
{
    [Fact]
    public void Restore_rebuilds_an_equal_state_from_its_persisted_parts()
    {
        var state = DedupeState.Empty;
        for (var i = 0; i < 300; i++) state = state.Record($"id-{i}", new EventPosition(i % 3, i));

        var restored = DedupeState.Restore(state.RecentEventIds, state.HighestOffsetByPartition);

        Assert.Equal(state, restored);
        Assert.Equal(state.RecentEventIds, restored.RecentEventIds);
        Assert.True(restored.Seen("id-299"));
        Assert.False(restored.Seen("id-0"));
        Assert.True(restored.IsReplay(new EventPosition(2, 299)));
        Assert.False(restored.IsReplay(new EventPosition(2, 300)));
    }

    [Fact]
    public void Restore_keeps_the_log_generation()
    {
        var state = DedupeState.Empty.Record("a", new EventPosition(4, 10, Generation: 3)).Record("b", new EventPosition(1, 2, Generation: 3));

        var restored = DedupeState.Restore(state.RecentEventIds, state.LogGeneration, state.HighestOffsetByPartition);

        Assert.Equal(3, restored.LogGeneration);
        Assert.Equal(state, restored);
        Assert.True(restored.IsReplay(new EventPosition(4, 10, 3)));
        Assert.False(restored.IsReplay(new EventPosition(4, 10, 4)));
        Assert.NotEqual(state, DedupeState.Restore(state.RecentEventIds, 2, state.HighestOffsetByPartition));
    }

    [Fact]
    public void Window_holds_at_least_capacity_ids_newest_last()
    {
        var state = DedupeState.Empty;
        for (var i = 0; i < 1000; i++)
        {
            state = state.Record($"id-{i}", null);
            var ids = state.RecentEventIds;
            Assert.InRange(ids.Count, Math.Min(i + 1, DedupeState.Capacity), DedupeState.Capacity + 16);
            Assert.Equal($"id-{i}", ids[^1]);
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
    }

    [Fact]
    public void Concurrent_branches_from_one_state_do_not_see_each_other()
    {
        var root = DedupeState.Empty.Record("root", null);
        var branches = new DedupeState[64];
        Parallel.For(0, branches.Length, i => branches[i] = root.Record($"b{i}", null));
        for (var i = 0; i < branches.Length; i++)
        {
            Assert.Equal(["root", $"b{i}"], branches[i].RecentEventIds);
        }

        Assert.Equal(["root"], root.RecentEventIds);
    }
}
