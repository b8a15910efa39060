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

        Assert.Equal(["activity", "purchases", "traits", "consent", "windows", "affinity", "identity"], names);
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
