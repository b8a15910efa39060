using DmpActors.Domain.Campaigns;
using DmpActors.Domain.Segments;

namespace DmpActors.Domain.Tests.Campaigns;

public sealed class CampaignCatalogueStateTests
{
    private static readonly DateTimeOffset At = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Json = """
        {"name":"Spring sale","trigger":{"kind":"segment_entered","target":"cart-abandoners"},
         "variants":[{"id":"a","weight":2,"payload":{"offer_id":"o-a"}},{"id":"b","payload":{"offer_id":"o-b"}}],
         "holdout_percent":10,"caps":[{"count":1,"per":"day"},{"count":3,"per":"week"}],
         "quiet_hours":{"start":"22:00","end":"8:00","mode":"drop"},"budget":500,"priority":2}
        """;

    [Fact]
    public void A_definition_read_from_json_is_written_in_one_canonical_form_that_reads_back_the_same()
    {
        var (definition, errors) = CampaignJson.Read("spring", Json);

        Assert.Empty(errors);
        Assert.Equal(new QuietHours(new TimeOnly(22, 0), new TimeOnly(8, 0), QuietHoursMode.Drop), definition!.QuietHours);
        Assert.Equal([new FrequencyCap(1, CapPeriod.Day), new FrequencyCap(3, CapPeriod.Week)], definition.Caps);
        Assert.Equal(1, definition.Variants[1].Weight);
        var canonical = CampaignJson.Write(definition);
        Assert.Contains("\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"08:00\",\"mode\":\"drop\"}", canonical, StringComparison.Ordinal);
        Assert.Equal(canonical, CampaignJson.Write(CampaignJson.Parse("spring", canonical)));
    }

    [Fact]
    public void Every_problem_of_a_definition_names_its_field()
    {
        var (definition, errors) = CampaignJson.Read("spring", """
            {"name":"","trigger":{"kind":"segment_left","target":""},"variants":[{"id":"a","weight":-1,"payload":{}}],
             "holdout_percent":100,"caps":[{"count":0,"per":"month"}],"quiet_hours":{"start":"25:00","end":"08:00"},"audience":"orders >="}
            """);

        Assert.Null(definition);
        Assert.Superset(new HashSet<string> { "name", "trigger.kind", "trigger.target", "variants[0].weight", "holdout_percent",
            "caps[0].count", "caps[0].per", "quiet_hours.start", "audience" }, errors.Select(e => e.Field).ToHashSet());
        Assert.Equal("budget", CampaignJson.Read("x", """{"budget":"lots"}""").Errors.Single().Field);
        Assert.Equal("colour", CampaignJson.Read("x", """{"colour":"red"}""").Errors.Single().Field);
        Assert.Equal("id", CampaignJson.Read("x", Json.Replace("{\"name\"", "{\"id\":\"y\",\"name\"")).Errors.Single().Field);
    }

    [Fact]
    public void Puts_pauses_and_deletes_record_versions_and_a_replay_of_them_is_the_same_catalogue()
    {
        var state = CampaignCatalogueState.Empty;
        var definition = CampaignJson.Parse("spring", CampaignJson.Write(CampaignJson.Read("spring", Json).Definition!));
        CampaignCatalogueState Record(CampaignChange change) => state = state.Apply(change.Recorded!);

        Assert.Equal(PutOutcome.Created, state.Put(definition, At).Outcome);
        Record(state.Put(definition, At));
        Assert.Equal(PutOutcome.Unchanged, state.Put(definition, At).Outcome);
        Record(state.SetPaused("spring", true, At)!);
        Assert.Null(state.SetPaused("spring", true, At)!.Recorded);
        Assert.True(state.Find("spring")!.Parse().Paused);
        Record(state.Put(definition with { Budget = 10 }, At));
        state = state.Apply(state.Delete("spring", At)!);

        Assert.Null(state.Find("spring"));
        Assert.Null(state.Delete("spring", At));
        Assert.Equal([1, 2, 3, 4], state.History("spring").Select(v => v.Version));
        Assert.Equal(4, state.Revision);
        Assert.Equal(1, state.Apply(state.Put(definition, At).Recorded!).Live.Count);
        Assert.Equal(state.AllVersions(), CampaignCatalogueState.From(state.AllVersions()).AllVersions());
        Assert.Throws<InvalidOperationException>(() => state.Apply(state.History("spring")[0]));
    }
}
