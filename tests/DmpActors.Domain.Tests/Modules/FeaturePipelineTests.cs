using DmpActors.Domain.Events;
using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;
using static DmpActors.Domain.Tests.Profiles.Events;

namespace DmpActors.Domain.Tests.Modules;

public class FeaturePipelineTests
{
    private static UserProfile Fresh => UserProfile.Empty("u1");

    [Fact]
    public void The_profile_pipeline_runs_consent_before_the_modules_whose_recording_it_decides()
    {
        var names = FeaturePipeline.Profile.Modules.Select(m => m.Name).ToList();

        Assert.Equal(["activity", "purchases", "traits", "consent", "windows", "affinity", "identity", "segments"], names);
    }

    [Fact]
    public void A_module_registered_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FeaturePipeline([new Counting("c"), new Counting("c")]));

        Assert.Contains("'c' is registered twice", error.Message);
    }

    [Fact]
    public void A_page_view_of_an_anonymous_visitor_asks_nothing_of_the_entity()
    {
        var result = ProfileReducer.Apply(UserProfile.Empty("anon-1"), PageView("e1") with { UserId = null, AnonymousId = "anon-1" }, null);

        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        Assert.Equal(0, result.Effects.Count);
    }

    [Fact]
    public void An_event_under_the_profiles_own_user_id_asks_the_identity_to_remember_it()
    {
        var result = ProfileReducer.Apply(Fresh, PageView("e1"), null);

        Assert.Equal(UserIdSeen.Instance, Assert.Single(Effects(result)));
    }

    [Fact]
    public void An_identify_with_an_anonymous_id_asks_for_a_merge_after_remembering_the_user_id()
    {
        var identify = Identify("e1", 0) with { AnonymousId = "anon-1" };

        var result = ProfileReducer.Apply(Fresh, identify, null);

        Assert.Equal([UserIdSeen.Instance, new RequestMerge("anon-1", "e1")], Effects(result));
    }

    [Fact]
    public void A_duplicate_or_a_replay_emits_no_effects()
    {
        var identify = Identify("e1", 0) with { AnonymousId = "anon-1" };
        var once = ProfileReducer.Apply(Fresh, identify, new EventPosition(0, 5)).Profile;

        Assert.Equal(0, ProfileReducer.Apply(once, identify, new EventPosition(0, 5)).Effects.Count);
        Assert.Equal(0, ProfileReducer.Apply(once, identify, new EventPosition(0, 6)).Effects.Count);
    }

    [Fact]
    public void Modules_see_the_draft_their_predecessors_wrote_and_the_pipeline_counts_the_event_once()
    {
        var pipeline = new FeaturePipeline([new Counting("first"), new Counting("second")]);

        var result = pipeline.Apply(Fresh, PageView("e1"), null, ProfileRules.Default);

        Assert.Equal(2, result.Profile.Orders); // each module added one to the draft
        Assert.Equal(1, result.Profile.EventsApplied);
        Assert.Equal([new RequestMerge("first", "e1"), new RequestMerge("second", "e1")], Effects(result));
    }

    [Fact]
    public void A_module_that_throws_leaves_the_input_profile_as_it_was()
    {
        var pipeline = new FeaturePipeline([new Counting("c"), new Throwing()]);
        var before = Fresh;

        Assert.Throws<InvalidOperationException>(() => pipeline.Apply(before, PageView("e1"), null, ProfileRules.Default));
        Assert.Equal(Fresh, before);
    }

    private static List<ModuleEffect> Effects(ApplyResult result) => Enumerable.Range(0, result.Effects.Count).Select(i => result.Effects[i]).ToList();

    private sealed class Counting(string name) : IFeatureModule
    {
        public string Name => name;

        public void OnEvent(ref ModuleContext ctx, UserEvent e)
        {
            ctx.Profile.Orders++;
            ctx.Emit(new RequestMerge(name, e.EventId));
        }
    }

    private sealed class Throwing : IFeatureModule
    {
        public string Name => "throwing";

        public void OnEvent(ref ModuleContext ctx, UserEvent e) => throw new InvalidOperationException("refused");
    }
}

public class FeatureModuleSliceTests
{
    /// <summary>Which members of the profile each module owns; the pipeline itself owns Id, Dedupe and EventsApplied.</summary>
    public static TheoryData<string, string[]> Owners => new()
    {
        { "activity", ["EventCounts", "FirstSeen", "LastSeen", "RecentlyViewedItems"] },
        { "purchases", ["TotalRevenue", "Orders", "LastPurchase"] },
        { "traits", ["Traits"] },
        { "consent", ["Consent", "ConsentHistory"] },
        { "windows", ["Windows"] },
        { "affinity", ["CategoryAffinity", "ItemAffinity"] },
        { "identity", ["KnownIds"] },
    };

    [Theory]
    [MemberData(nameof(Owners))]
    public void A_module_changes_only_the_members_it_owns(string name, string[] owned)
    {
        // Given a pipeline of that one module and events that touch every feature
        var pipeline = new FeaturePipeline([FeaturePipeline.Profile.Modules.Single(m => m.Name == name)]);
        var events = new[]
        {
            ProductView("e1", "sku-1") with { AnonymousId = "anon-1" },
            Purchase("e2", "o1", 20m, minute: 1),
            Identify("e3", 2, ("city", "Paris")) with { AnonymousId = "anon-2" },
            Consent("e4", 3, ("analytics", true)),
        };

        var before = UserProfile.Empty("u1");
        var after = before;
        var changed = new HashSet<string>();
        foreach (var e in events)
        {
            var next = pipeline.Apply(after, e, null, ProfileRules.Default).Profile;
            foreach (var member in Members)
                if (!Same(member.GetValue(after), member.GetValue(next))) changed.Add(member.Name);
            after = next;
        }

        // Then what changed is its own slice, and all of it changed for some event
        Assert.Equal(owned.Order(), changed.Order());
    }

    private static readonly System.Reflection.PropertyInfo[] Members = typeof(UserProfile).GetProperties()
        .Where(p => p.Name is not ("Id" or "Dedupe" or "EventsApplied" or "EqualityContract"))
        .ToArray();

    private static bool Same(object? a, object? b) => a is null || a.GetType().IsValueType ? Equals(a, b) : ReferenceEquals(a, b);
}
