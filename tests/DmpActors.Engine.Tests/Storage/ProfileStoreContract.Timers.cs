using DmpActors.Domain.Modules;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Storage;

/// <summary>The due-time index, the same on every store.</summary>
public abstract partial class ProfileStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static StoredProfile Timed(string id, long version, params UserTimer[] timers) =>
        new(id, Bytes($"{id}@{version}"), version) { Timers = timers };

    protected async Task Due_timers_come_from_the_timers_a_written_row_names_earliest_first_and_never_early()
    {
        // Given users saved with timers, one without a timer list, and a stale save that names one
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([
            Timed("u1", 1, new UserTimer("segments", "recheck", T0.AddDays(7)), new UserTimer("campaigns", "spring/cart", T0.AddMinutes(30))),
            Timed("u2", 1, new UserTimer("segments", "recheck", T0.AddHours(1).AddTicks(1))),
            new StoredProfile("u3", Bytes("x"), 1),
        ]);
        await store.SaveAsync([Timed("u2", 2, new UserTimer("segments", "recheck", T0.AddHours(1).AddTicks(1)))]);
        var stale = await store.SaveAsync([Timed("u2", 1, new UserTimer("segments", "recheck", T0))]);
        Assert.Equal(["u2"], stale.Stale);

        // Then the index answers what is due at each instant, earliest first, a sub-millisecond due time not a tick early
        Assert.Empty(await store.LoadDueTimersAsync(T0.AddMinutes(30).AddTicks(-1), 10));
        Assert.Equal([new DueTimer("u1", "campaigns", "spring/cart", T0.AddMinutes(30))], await store.LoadDueTimersAsync(T0.AddMinutes(30), 10));
        Assert.Equal(["u1"], (await store.LoadDueTimersAsync(T0.AddHours(1), 10)).Select(t => t.UserId));
        var later = await store.LoadDueTimersAsync(T0.AddDays(8), 10);
        Assert.Equal([("u1", "spring/cart"), ("u2", "recheck"), ("u1", "recheck")], later.Select(t => (t.UserId, t.Key)));
        Assert.Single(await store.LoadDueTimersAsync(T0.AddDays(8), 1));

        // When u1's save moves one timer and drops the other, u2 is saved without a timer list, and u1 is saved empty later
        await store.SaveAsync([Timed("u1", 2, new UserTimer("segments", "recheck", T0.AddDays(9))), new StoredProfile("u2", Bytes("y"), 3)]);

        // Then u1's rows are replaced and u2's are left as they were
        Assert.Equal([("u2", "recheck")], (await store.LoadDueTimersAsync(T0.AddDays(8), 10)).Select(t => (t.UserId, t.Key)));
        await store.SaveAsync([Timed("u1", 3)]);
        Assert.Equal(["u2"], (await store.LoadDueTimersAsync(T0.AddDays(100), 10)).Select(t => t.UserId));
    }

    protected async Task Erasure_and_deletion_remove_a_users_timers()
    {
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([Timed("gone", 1, new UserTimer("segments", "recheck", T0)), Timed("deleted", 1, new UserTimer("segments", "recheck", T0)),
            Timed("kept", 1, new UserTimer("segments", "recheck", T0))]);

        await store.EraseAsync(["gone"], T0.AddDays(30));
        await store.DeleteAsync("deleted");

        Assert.Equal(["kept"], (await store.LoadDueTimersAsync(T0.AddDays(1), 10)).Select(t => t.UserId));
    }
}
