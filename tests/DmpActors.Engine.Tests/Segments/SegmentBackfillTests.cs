using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using DmpActors.Domain.Segments;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Storage;

namespace DmpActors.Engine.Tests.Segments;

/// <summary>The backfill singleton's walk over a real (in-memory) profile store, against a stand-in for the user shard
/// region that answers each <see cref="EvaluateSegments"/> as an entity does.</summary>
public sealed class SegmentBackfillTests : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly SegmentRegistry _registry = new();

    /// <summary>What the stand-in region received, and how many asks it held unanswered at most at once.</summary>
    private sealed class Evaluations
    {
        private int _open;
        private int _maxOpen;
        public ConcurrentQueue<EvaluateSegments> Received { get; } = new();
        public int MaxOpen => Volatile.Read(ref _maxOpen);
        public int Count(long revision) => Received.Count(r => r.Revision == revision);

        public void Opened(EvaluateSegments ask)
        {
            Received.Enqueue(ask);
            var open = Interlocked.Increment(ref _open);
            for (var max = MaxOpen; open > max && Interlocked.CompareExchange(ref _maxOpen, open, max) != max; max = MaxOpen) { }
        }

        public void Closed() => Interlocked.Decrement(ref _open);
    }

    private sealed record Answer(IActorRef To, EvaluateSegments Ask);

    private sealed record Release;

    /// <summary>Answers every ask a millisecond later with one membership change, except while holding (answers wait for
    /// <see cref="Release"/>) and for users <paramref name="silent"/> names (never answered).</summary>
    private sealed class StandInUsers : ReceiveActor
    {
        public StandInUsers(Evaluations log, bool holding, Func<string, bool>? silent, IActorRef? watcher)
        {
            var held = new List<Answer>();
            Receive<EvaluateSegments>(ask =>
            {
                log.Opened(ask);
                watcher?.Tell(ask);
                if (silent?.Invoke(ask.UserId) == true) return;
                if (holding) held.Add(new Answer(Sender, ask));
                else Context.System.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(1), Self, new Answer(Sender, ask), Self);
            });
            Receive<Answer>(answer =>
            {
                log.Closed();
                answer.To.Tell(new SegmentsEvaluated(answer.Ask.UserId, answer.Ask.Revision, 1));
            });
            Receive<Release>(_ =>
            {
                holding = false;
                foreach (var answer in held) Self.Tell(answer);
                held.Clear();
            });
        }
    }

    private static async Task<IProfileStore> StoreWithUsersAsync(int count)
    {
        var store = new InMemoryProfileStore();
        await store.SaveAsync(Enumerable.Range(0, count).Select(i => new StoredProfile($"user-{i:D5}", [1], 1)).ToList());
        return store;
    }

    private (IActorRef Backfill, IActorRef Users) Start(IProfileStore store, Evaluations log, BackfillOptions options, bool holding = false,
        Func<string, bool>? silent = null, IActorRef? watcher = null)
    {
        var users = Sys.ActorOf(Props.Create(() => new StandInUsers(log, holding, silent, watcher)));
        return (Sys.ActorOf(SegmentBackfill.Props(store, users, _registry, options)), users);
    }

    private void PublishRevision(long revision) => Assert.True(_registry.Publish(SegmentSet.Build(revision, [])));

    private async Task<BackfillProgress> ProgressWhenAsync(IActorRef backfill, Func<BackfillProgress, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var progress = await backfill.Ask<BackfillProgress>(GetBackfillProgress.Instance, Patience);
            if (condition(progress)) return progress;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last progress {progress}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Every_stored_user_is_re_evaluated_once_within_the_in_flight_bound_and_progress_reaches_the_total()
    {
        // Given 2,500 stored users (three pages of ids) and a backfill that may await 8 users at once
        var log = new Evaluations();
        var (backfill, _) = Start(await StoreWithUsersAsync(2500), log, new BackfillOptions { MaxInFlight = 8, UsersPerSecond = 1_000_000 });
        Assert.Equal(BackfillProgress.Idle, await backfill.Ask<BackfillProgress>(GetBackfillProgress.Instance, Patience));

        // When a segment set is published
        PublishRevision(1);

        // Then every user is asked once for that revision, never more than 8 at once, and the walk completes at its total
        var done = await ProgressWhenAsync(backfill, p => p.State == "completed", "the walk to complete");
        Assert.Equal((1L, 2500L, 2500L, 2500L, 0L), (done.Revision, done.Done, done.Total, done.Changes, done.Failed));
        Assert.NotNull(done.FinishedAt);
        Assert.True(done.UsersPerSecond > 0);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => $"user-{i:D5}"), log.Received.Select(r => r.UserId).Order(StringComparer.Ordinal));
        Assert.All(log.Received, r => Assert.Equal(1, r.Revision));
        Assert.InRange(log.MaxOpen, 2, 8);
    }

    [Fact]
    public async Task The_walk_keeps_to_the_configured_users_per_second()
    {
        // Given 300 stored users and a pace of 500 users/s (a burst of at most a tenth of a second's worth)
        var log = new Evaluations();
        var (backfill, _) = Start(await StoreWithUsersAsync(300), log, new BackfillOptions { MaxInFlight = 32, UsersPerSecond = 500 });

        PublishRevision(1);

        // Then the walk takes at least the (300 - 50) / 500 s its pace allows
        var done = await ProgressWhenAsync(backfill, p => p.State == "completed", "the walk to complete");
        Assert.Equal(300, done.Done);
        Assert.True(done.FinishedAt!.Value - done.StartedAt!.Value >= TimeSpan.FromMilliseconds(450),
            $"took {(done.FinishedAt.Value - done.StartedAt.Value).TotalMilliseconds} ms");
        Assert.InRange(done.UsersPerSecond, 1, 600);
    }

    [Fact]
    public async Task A_newer_revision_stops_the_walk_and_starts_again_and_answers_to_the_stopped_walk_count_nowhere()
    {
        // Given a walk for revision 1 whose first 8 asks are awaited (the entities are slow)
        var log = new Evaluations();
        var (backfill, users) = Start(await StoreWithUsersAsync(200), log, new BackfillOptions { MaxInFlight = 8, UsersPerSecond = 1_000_000 }, holding: true);
        PublishRevision(1);
        await ProgressWhenAsync(backfill, p => p.InFlight == 8 && log.Received.Count == 8, "8 asks in flight");

        // When revision 2 is published while they are in flight, and only then do they answer
        PublishRevision(2);
        var restarted = await ProgressWhenAsync(backfill, p => p.Revision == 2, "the walk for revision 2");
        Assert.Equal(("running", 1L, 0L), (restarted.State, restarted.Restarts, restarted.Done));
        users.Tell(new Release());

        // Then revision 2 walks every user once; the late answers freed their slots but counted in neither walk
        var done = await ProgressWhenAsync(backfill, p => p.State == "completed", "the walk for revision 2 to complete");
        Assert.Equal((2L, 200L, 200L, 200L), (done.Revision, done.Done, done.Total, done.Changes));
        Assert.Equal(8, log.Count(1));
        Assert.Equal(200, log.Received.Where(r => r.Revision == 2).Select(r => r.UserId).Distinct().Count());
        Assert.Equal(200, log.Count(2));
        Assert.InRange(log.MaxOpen, 1, 8);
        Assert.Equal(0, done.InFlight);
    }

    [Fact]
    public async Task Users_that_do_not_answer_in_time_are_counted_failed_and_the_walk_completes()
    {
        var log = new Evaluations();
        var (backfill, _) = Start(await StoreWithUsersAsync(50), log,
            new BackfillOptions { MaxInFlight = 16, UsersPerSecond = 1_000_000, EvaluationTimeout = TimeSpan.FromMilliseconds(200) },
            silent: id => id.EndsWith('7'));

        PublishRevision(1);

        var done = await ProgressWhenAsync(backfill, p => p.State == "completed", "the walk to complete");
        Assert.Equal((50L, 45L, 5L), (done.Done, done.Changes, done.Failed));
    }

    [Fact]
    public async Task A_set_published_before_the_backfill_starts_is_walked_and_a_stopped_backfill_walks_nothing_more()
    {
        // Given a set already published when the singleton starts (it moved to another node meanwhile)
        PublishRevision(3);
        var log = new Evaluations();
        var watcher = CreateTestProbe();
        var (backfill, _) = Start(await StoreWithUsersAsync(20), log, new BackfillOptions { UsersPerSecond = 1_000_000 }, watcher: watcher.Ref);

        // Then it walks that revision
        var done = await ProgressWhenAsync(backfill, p => p.State == "completed", "the walk to complete");
        Assert.Equal((3L, 20L), (done.Revision, done.Done));

        // And once stopped, a newer revision reaches it no more
        for (var i = 0; i < 20; i++) await watcher.ExpectMsgAsync<EvaluateSegments>(Patience);
        Watch(backfill);
        Sys.Stop(backfill);
        await ExpectTerminatedAsync(backfill, Patience);
        PublishRevision(4);
        await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }
}
