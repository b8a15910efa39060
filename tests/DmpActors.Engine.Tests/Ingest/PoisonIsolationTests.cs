using Akka.Actor;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Ingest;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Storage;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Ingest;

/// <summary>One event or one profile that cannot be handled costs only itself: it is dead-lettered with a reason,
/// the offsets move on, and the ingest never restarts for it.</summary>
public sealed class PoisonIsolationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static EngineHooks ThrowingOn(string eventId) => new(Users: settings => settings with
    {
        Reduce = (profile, e, position, rules, segments) => e.EventId == eventId
            ? throw new InvalidOperationException("the fold refused this event")
            : ProfileReducer.Apply(profile, e, position, rules, segments),
    });

    [Fact]
    public async Task An_event_whose_application_throws_is_dead_lettered_with_its_exception_and_the_profile_stays_as_it_was()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync(hooks: ThrowingOn("a2"));

        harness.Produce("alice", TestEvents.PageView("a1", "alice"));
        harness.Produce("alice", TestEvents.PageView("a2", "alice", minute: 1));
        harness.Produce("alice", TestEvents.PageView("a3", "alice", minute: 2));
        harness.Produce("bob", TestEvents.PageView("b1", "bob"));
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4, Patience);
        var letter = Assert.Single(harness.ReadDeadLetters(1, Patience));
        Assert.Equal(DeadLetter.ApplyFailed, EngineHarness.Header(letter, DeadLetterPublisher.ReasonHeader));
        Assert.Equal(typeof(InvalidOperationException).FullName, EngineHarness.Header(letter, DeadLetterPublisher.ExceptionHeader));
        Assert.Contains("the fold refused this event", EngineHarness.Header(letter, DeadLetterPublisher.DetailHeader));
        Assert.Equal(TestEvents.PageView("a2", "alice", minute: 1), letter.Value);

        var alice = await engine.GetProfileAsync("alice", Patience);
        Assert.Equal(2, alice!.CountOf(EventType.PageView));
        Assert.Equal(1, (await engine.GetProfileAsync("bob", Patience))!.EventsApplied);
        Assert.Equal(0, engine.Ingest!.Status.Restarts);
    }

    [Theory]
    [InlineData("100000000000000000")]
    [InlineData("-100000000000000000")]
    public async Task A_purchase_with_a_revenue_the_windows_cannot_hold_costs_only_itself(string revenue)
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync();

        harness.Produce("eve", TestEvents.PageView("e1", "eve"));
        harness.Produce("eve", TestEvents.Purchase("e2", "eve", decimal.Parse(revenue), minute: 1));
        harness.Produce("eve", TestEvents.PageView("e3", "eve", minute: 2));
        harness.Produce("frank", TestEvents.Purchase("f1", "frank", 12.5m));
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4, Patience);
        var letter = Assert.Single(harness.ReadDeadLetters(1, Patience));
        Assert.NotNull(EngineHarness.Header(letter, DeadLetterPublisher.ReasonHeader));
        var eve = await engine.GetProfileAsync("eve", Patience);
        Assert.Equal(2, eve!.EventsApplied);
        Assert.Equal(0, eve.Orders);
        Assert.Equal(12.5m, (await engine.GetProfileAsync("frank", Patience))!.TotalRevenue);
        Assert.Equal(0, engine.Ingest!.Status.Restarts);
    }

    [Fact]
    public async Task A_stored_profile_that_cannot_be_decoded_isolates_its_user_until_erased()
    {
        await using var harness = new EngineHarness();
        await using var engine = await harness.StartEngineAsync();
        await engine.Store.SaveAsync([new StoredProfile("carol", [0xFF, 0x00, 0x13, 0x37], 7)]);

        harness.Produce("carol", TestEvents.PageView("c1", "carol"));
        harness.Produce("dave", TestEvents.PageView("d1", "dave"));
        harness.Flush();

        await harness.WaitUntilCommittedToEndAsync(engine, 4, Patience);
        var letter = Assert.Single(harness.ReadDeadLetters(1, Patience));
        Assert.Equal(DeadLetter.ProfileIsolated, EngineHarness.Header(letter, DeadLetterPublisher.ReasonHeader));
        Assert.Contains("cannot be decoded", EngineHarness.Header(letter, DeadLetterPublisher.DetailHeader));
        var isolated = Assert.Single(engine.Isolated.List());
        Assert.Equal(("carol", IsolationKind.Undecodable), (isolated.UserId, isolated.Kind));
        await Assert.ThrowsAsync<ProfileIsolatedException>(() => engine.GetProfileAsync("carol", Patience));
        Assert.Equal(1, (await engine.GetProfileAsync("dave", Patience))!.EventsApplied);
        Assert.Equal(0, engine.Ingest!.Status.Restarts);

        // Erasing is the way out: the row goes, and the id is quarantined like any erased one.
        var erased = await engine.Users.Ask<UserErased>(new EraseUser("carol"), Patience);
        Assert.Equal(1, erased.ErasedIds);
        Assert.Empty(engine.Isolated.List());
        Assert.Empty(await engine.Store.LoadAsync(["carol"]));
        Assert.Null(await engine.GetProfileAsync("carol", Patience));
    }
}
