using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Storage;

/// <summary>The segment member index and the walk over stored ids, the same on every store.</summary>
public abstract partial class ProfileStoreContract
{
    private static StoredProfile Member(string id, long version, params string[] segments) =>
        new(id, Bytes($"{id}@{version}"), version) { Segments = segments };

    private static async Task<List<string>> AllMembersAsync(IProfileStore store, string segment, int pageSize)
    {
        var all = new List<string>();
        for (string? after = null; ;)
        {
            var page = await store.LoadSegmentMembersAsync(segment, after, pageSize);
            Assert.True(page.Count <= pageSize);
            all.AddRange(page);
            if (page.Count < pageSize) return all;
            after = page[^1];
        }
    }

    protected async Task Members_come_from_the_segments_a_written_row_names_and_replace_that_users_rows()
    {
        // Given three users saved with their segments, one of them without a member list
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([Member("u1", 1, "buyers", "vip"), Member("u2", 1, "buyers"), new StoredProfile("u3", Bytes("x"), 1)]);
        Assert.Equal(["u1", "u2"], await store.LoadSegmentMembersAsync("buyers", null, 10));
        Assert.Equal(1, await store.CountSegmentMembersAsync("vip"));

        // When u1 leaves buyers, u2 is saved without a member list, and a stale save of u2 names another segment
        await store.SaveAsync([Member("u1", 2, "vip"), new StoredProfile("u2", Bytes("y"), 2)]);
        var stale = await store.SaveAsync([Member("u2", 1, "lapsed")]);

        // Then u1's rows are replaced, u2's are left as they were, and the refused save indexed nothing
        Assert.Equal(["u2"], stale.Stale);
        Assert.Equal(["u2"], await store.LoadSegmentMembersAsync("buyers", null, 10));
        Assert.Equal(["u1"], await store.LoadSegmentMembersAsync("vip", null, 10));
        Assert.Equal(0, await store.CountSegmentMembersAsync("lapsed"));
        Assert.Equal(0, await store.CountSegmentMembersAsync("nobody-defined-this"));

        // And an empty member list takes the user out of every segment, and any text is a segment id
        await store.SaveAsync([Member("u1", 3), Member("u4", 1, "größe \"XL\", [1]", "vip")]);
        Assert.Equal(["u4"], await store.LoadSegmentMembersAsync("größe \"XL\", [1]", null, 10));
        Assert.Equal(["u4"], await store.LoadSegmentMembersAsync("vip", null, 10));
    }

    protected async Task Member_pages_follow_the_id_order_without_repeats_or_gaps_while_rows_change()
    {
        // Given 250 members of one segment and 50 users outside it
        await using var store = await CreateStoreAsync();
        var members = Enumerable.Range(0, 250).Select(i => $"m{i:D4}").ToList();
        await store.SaveAsync([.. members.Select(id => Member(id, 1, "shoppers")), .. Enumerable.Range(0, 50).Select(i => Member($"o{i:D4}", 1, "other"))]);

        // When the first page is read, a member who sorts before the cursor leaves, and the rest is read
        var first = await store.LoadSegmentMembersAsync("shoppers", null, 100);
        await store.SaveAsync([Member("m0005", 2)]);
        var rest = new List<string>();
        for (var after = first[^1]; ;)
        {
            var page = await store.LoadSegmentMembersAsync("shoppers", after, 100);
            rest.AddRange(page);
            if (page.Count < 100) break;
            after = page[^1];
        }

        // Then the pages hold every member once, in id order: a change behind the cursor shifts nothing after it
        Assert.Equal(members.Take(100), first);
        Assert.Equal(members.Skip(100), rest);
        Assert.Equal(249, await store.CountSegmentMembersAsync("shoppers"));
        Assert.Empty(await store.LoadSegmentMembersAsync("shoppers", members[^1], 100));
        Assert.Equal(members.Where(id => id != "m0005"), await AllMembersAsync(store, "shoppers", 7));
    }

    protected async Task Erasure_deletion_and_merges_keep_the_member_index_in_step_with_the_rows()
    {
        // Given four members of one segment
        await using var store = await CreateStoreAsync();
        await store.SaveAsync([Member("alice", 1, "buyers"), Member("anon", 1, "buyers"), Member("bob", 1, "buyers"), Member("carol", 1, "buyers")]);

        // When bob is erased, carol deleted, and anon merged into alice (the absorbed profile belongs to no segment)
        await store.EraseAsync(["bob"], DateTimeOffset.UtcNow.AddDays(30));
        Assert.True(await store.DeleteAsync("carol"));
        await store.SaveMergeAsync(Member("alice", 2, "buyers", "merged"), Member("anon", 2),
            new StoredMerge("m1", "alice", "anon", DateTimeOffset.UtcNow, "e-1", Bytes("before")));

        // Then only alice is left in the index, with both her segments
        Assert.Equal(["alice"], await store.LoadSegmentMembersAsync("buyers", null, 10));
        Assert.Equal(["alice"], await store.LoadSegmentMembersAsync("merged", null, 10));

        // And a merge that fails writes no member rows either
        await Assert.ThrowsAsync<StaleProfileException>(() => store.SaveMergeAsync(Member("alice", 1, "stale"), Member("anon", 3, "stale"),
            new StoredMerge("m2", "alice", "anon", DateTimeOffset.UtcNow, "e-2", Bytes("before"))));
        Assert.Equal(0, await store.CountSegmentMembersAsync("stale"));
    }

    protected async Task A_scan_of_ids_visits_every_stored_profile_once_in_pages()
    {
        await using var store = await CreateStoreAsync();
        var ids = Enumerable.Range(0, 1234).Select(i => $"user-{i:D5}").ToList();
        await store.SaveAsync(ids.Select(id => new StoredProfile(id, Bytes("s"), 1)).ToList());

        var seen = new List<string>();
        var pages = 0;
        for (string? after = null; ; pages++)
        {
            var page = await store.ScanIdsAsync(after, 500);
            seen.AddRange(page);
            if (page.Count < 500) break;
            after = page[^1];
        }

        Assert.Equal(ids, seen);
        Assert.Equal(2, pages);
        Assert.Empty(await store.ScanIdsAsync(ids[^1], 10));
    }
}
