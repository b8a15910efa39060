using System.Globalization;
using System.Text.Json;
using DmpActors.Traffic.Population;

namespace DmpActors.Traffic.Tests;

public class GroundTruthTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static IEnumerable<GeneratedEvent> Stream(TrafficGenerator generator, int count)
    {
        for (var i = 0; i < count; i++) yield return generator.Next(Start.AddMilliseconds(i));
    }

    private static JsonElement Properties(GeneratedEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        return doc.RootElement.GetProperty("properties").Clone();
    }

    [Fact]
    public void Group_assignment_and_group_definitions_are_reproducible_from_the_seed()
    {
        var first = new TrafficGenerator(new TrafficOptions { Seed = 3, Users = 5_000, Groups = 6 }).GroundTruth();
        var second = new TrafficGenerator(new TrafficOptions { Seed = 3, Users = 5_000, Groups = 6 }).GroundTruth();
        var otherSeed = new TrafficGenerator(new TrafficOptions { Seed = 4, Users = 5_000, Groups = 6 }).GroundTruth();

        Assert.Equal(first.Users, second.Users);
        AssertSameGroups(first.Groups, second.Groups);
        var sameGroup = first.Users.Zip(otherSeed.Users).Count(p => p.First.Group == p.Second.Group);
        Assert.True(sameGroup < 2_000, $"{sameGroup} of 5000 users share their group across seeds (chance level is ~1/6)");
    }

    [Fact]
    public void Ground_truth_does_not_depend_on_how_much_traffic_has_flowed()
    {
        var fresh = new TrafficGenerator(new TrafficOptions { Seed = 8, Users = 2_000 });
        var busy = new TrafficGenerator(new TrafficOptions { Seed = 8, Users = 2_000 });
        foreach (var _ in Stream(busy, 20_000)) { }

        Assert.Equal(fresh.GroundTruth().Users, busy.GroundTruth().Users);
    }

    [Fact]
    public void Users_are_split_over_groups_in_the_groups_shares()
    {
        const int users = 40_000;
        var truth = new TrafficGenerator(new TrafficOptions { Seed = 5, Users = users, Groups = 5 }).GroundTruth();

        Assert.Equal(1.0, truth.Groups.Sum(g => g.Share), 9);
        foreach (var group in truth.Groups)
        {
            var members = truth.Users.Count(u => u.Group == group.Id);
            // 5 standard errors of a binomial proportion: a fixed seed makes this deterministic, and a correct
            // sampler would fail it with probability below 1e-6 for another seed.
            var tolerance = 5 * Math.Sqrt(group.Share * (1 - group.Share) / users);
            Assert.InRange(members / (double)users, group.Share - tolerance, group.Share + tolerance);
        }
    }

    [Fact]
    public void Each_users_home_category_is_a_favourite_of_their_group()
    {
        var truth = new TrafficGenerator(new TrafficOptions { Seed = 6, Users = 3_000, Groups = 4 }).GroundTruth();

        Assert.All(truth.Users, u => Assert.Contains(u.HomeCategory, truth.Groups[u.Group].FavouriteCategories));
        // 20 categories over 4 groups: 3 favourites each, no two groups share one, so groups are separable.
        Assert.Equal(12, truth.Groups.SelectMany(g => g.FavouriteCategories).Distinct().Count());
    }

    [Fact]
    public void Empirical_click_rates_converge_to_the_click_model()
    {
        var generator = new TrafficGenerator(new TrafficOptions { Seed = 19, Users = 5_000, Groups = 4 });
        var truth = generator.GroundTruth();
        var groupOf = truth.Users.ToDictionary(u => u.EntityId, u => u.Group);
        var impressions = new Dictionary<(int Group, string Category), int>();
        var clicks = new Dictionary<(int Group, string Category), int>();
        var expectedClicks = 0.0;
        var totalClicks = 0;

        foreach (var e in Stream(generator, 600_000))
        {
            if (e.Type is not (EventTypes.OfferImpression or EventTypes.OfferClick)) continue;
            var itemId = Properties(e).GetProperty("item_id").GetString()!;
            var category = generator.Catalogue.Categories[int.Parse(itemId.AsSpan(4, 3), CultureInfo.InvariantCulture)];
            var cell = (groupOf[e.EntityId], category);
            if (e.Type == EventTypes.OfferImpression)
            {
                impressions[cell] = impressions.GetValueOrDefault(cell) + 1;
                expectedClicks += truth.Groups[cell.Item1].ClickProbability[category];
            }
            else
            {
                clicks[cell] = clicks.GetValueOrDefault(cell) + 1;
                totalClicks++;
            }
        }

        // Clicks of sessions still open when generation stops are missing: at most one per concurrent session.
        const int openSessions = 1_000;
        var cellsChecked = 0;
        foreach (var (cell, shown) in impressions.Where(kv => kv.Value >= 400))
        {
            var p = truth.Groups[cell.Group].ClickProbability[cell.Category];
            var observed = clicks.GetValueOrDefault(cell) / (double)shown;
            // 5 standard errors (see Users_are_split_over_groups_in_the_groups_shares) plus 0.5 % for the open sessions.
            var tolerance = 5 * Math.Sqrt(p * (1 - p) / shown) + 0.005;
            Assert.True(Math.Abs(observed - p) <= tolerance,
                $"group {cell.Group} × {cell.Category}: {observed:P2} observed over {shown} impressions, model {p:P2} ± {tolerance:P2}");
            cellsChecked++;
        }
        Assert.True(cellsChecked >= 8, $"only {cellsChecked} cells had 400 impressions");
        Assert.InRange(totalClicks, expectedClicks - 5 * Math.Sqrt(expectedClicks) - openSessions, expectedClicks + 5 * Math.Sqrt(expectedClicks));
    }

    [Fact]
    public void Favourite_categories_are_clicked_more_than_the_rest()
    {
        var truth = new TrafficGenerator(new TrafficOptions { Seed = 2, Groups = 5 }).GroundTruth();

        foreach (var group in truth.Groups)
        {
            var favourite = group.FavouriteCategories.Min(c => group.ClickProbability[c]);
            var other = truth.Categories.Except(group.FavouriteCategories).Max(c => group.ClickProbability[c]);
            Assert.True(favourite > other, $"{group.Name}: favourite min {favourite}, other max {other}");
        }
    }

    [Fact]
    public void Members_of_more_active_groups_start_more_sessions()
    {
        var generator = new TrafficGenerator(new TrafficOptions { Seed = 23, Users = 4_000, Groups = 5 });
        var truth = generator.GroundTruth();
        var groupOf = truth.Users.ToDictionary(u => u.EntityId, u => u.Group);
        var sessions = new HashSet<string>[truth.Groups.Count];
        for (var g = 0; g < sessions.Length; g++) sessions[g] = [];
        foreach (var e in Stream(generator, 200_000))
            sessions[groupOf[e.EntityId]].Add(Properties(e).GetProperty("session_id").GetString()!);

        var perMember = truth.Groups
            .Select(g => (g.Activity, Rate: sessions[g.Id].Count / (double)truth.Users.Count(u => u.Group == g.Id)))
            .OrderBy(x => x.Activity)
            .ToList();
        var (least, most) = (perMember[0], perMember[^1]);
        Assert.True(most.Activity > 1.5 * least.Activity, "seed 23 should give groups of clearly different activity");
        Assert.True(most.Rate > 1.3 * least.Rate,
            $"activity {most.Activity}: {most.Rate:0.00} sessions per member; activity {least.Activity}: {least.Rate:0.00}");
    }

    [Fact]
    public void Users_change_their_consent_in_later_sessions_only_when_allowed_to()
    {
        int UsersWithRepeatedConsent(double changeProbability)
        {
            var generator = new TrafficGenerator(new TrafficOptions { Seed = 31, Users = 1_000, ConsentChangeProbability = changeProbability });
            return Stream(generator, 100_000).Where(e => e.Type == EventTypes.Consent)
                .GroupBy(e => e.EntityId).Count(g => g.Count() > 1);
        }

        Assert.Equal(0, UsersWithRepeatedConsent(0));
        Assert.True(UsersWithRepeatedConsent(0.3) > 100);
    }

    [Fact]
    public async Task Ground_truth_file_round_trips()
    {
        var truth = new TrafficGenerator(new TrafficOptions { Seed = 12, Users = 3_000, Groups = 7 }).GroundTruth();
        var path = Path.Combine(Path.GetTempPath(), $"dmp-truth-{Guid.NewGuid():N}", "truth.json");
        try
        {
            await truth.WriteAsync(path);
            var read = await TrafficGroundTruth.ReadAsync(path);

            Assert.Equal(truth.Seed, read.Seed);
            Assert.Equal(truth.Categories, read.Categories);
            Assert.Equal(truth.Users, read.Users);
            AssertSameGroups(truth.Groups, read.Groups);
            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
            Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("groups")[0].GetProperty("click_probability").ValueKind);
            Assert.Equal("u0000000", doc.RootElement.GetProperty("users")[0].GetProperty("entity_id").GetString());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Reading_a_file_that_is_not_ground_truth_says_so()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """{"seed": 1}""");
            var missing = await Assert.ThrowsAsync<InvalidDataException>(() => TrafficGroundTruth.ReadAsync(path));
            Assert.Contains("not a ground-truth file", missing.Message);

            await File.WriteAllTextAsync(path, "user,group\nu1,3\n");
            await Assert.ThrowsAsync<InvalidDataException>(() => TrafficGroundTruth.ReadAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Zero_groups_are_rejected_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrafficGenerator(new TrafficOptions { Groups = 0 }));
        Assert.Contains(nameof(TrafficOptions.Groups), error.Message);
    }

    private static void AssertSameGroups(IReadOnlyList<BehaviourGroup> expected, IReadOnlyList<BehaviourGroup> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal((e.Id, e.Name, e.Share, e.Activity, e.PurchaseMultiplier), (a.Id, a.Name, a.Share, a.Activity, a.PurchaseMultiplier));
            Assert.Equal(e.FavouriteCategories, a.FavouriteCategories);
            Assert.Equal(e.ClickProbability.OrderBy(kv => kv.Key), a.ClickProbability.OrderBy(kv => kv.Key));
        }
    }
}
