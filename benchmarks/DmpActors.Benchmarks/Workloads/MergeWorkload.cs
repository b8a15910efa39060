using System.Diagnostics;
using Akka.Actor;
using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Events;
using DmpActors.Engine.Profiles;

namespace DmpActors.Benchmarks.Workloads;

/// <summary>
/// Merge round trip on the real engine (SQLite): an anonymous visitor with some events logs in; measured from sending
/// the identify to the survivor answering a read, which it does only once the merge transaction has committed.
/// </summary>
public static class MergeWorkload
{
    public static async Task<int> RunAsync(Args args, string command)
    {
        var (merges, anonymousEvents) = (args.Int("merges", 2000), args.Int("anonymous-events", 20));
        args.EnsureAllKnown();
        await using var host = await InProcessEngine.StartAsync();
        var users = host.Engine.Users;
        var timeout = TimeSpan.FromSeconds(30);
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        var millis = new double[merges];
        for (var m = 0; m < merges; m++)
        {
            var anon = $"anon-{m}";
            for (var i = 0; i < anonymousEvents; i++)
            {
                var view = new UserEvent { EventId = $"{anon}-{i}", Type = EventType.ProductView, AnonymousId = anon, ItemId = $"sku-{i}", Timestamp = t0.AddSeconds(i) };
                await users.Ask<EventApplied>(new ApplyEvent(anon, view, null, i), timeout);
            }
            var user = $"user-{m}";
            var identify = new UserEvent { EventId = $"{user}-login", Type = EventType.Identify, UserId = user, AnonymousId = anon, Timestamp = t0.AddMinutes(5) };
            var started = Stopwatch.GetTimestamp();
            await users.Ask<EventApplied>(new ApplyEvent(user, identify, null, 0), timeout);
            var reply = await users.Ask<IdentityReply>(new GetIdentity(user), timeout);
            millis[m] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (reply.Identity.Merged.Count != 1) throw new InvalidOperationException($"{user} was not merged");
        }

        Array.Sort(millis);
        double P(double q) => millis[Math.Min(millis.Length - 1, (int)(q * millis.Length))];
        var md = Report.Header("Merge round trip (identify → merged and durable)", command) + $"""

            | merges | anonymous events each | p50 | p95 | p99 | max |
            | --- | --- | --- | --- | --- | --- |
            | {merges} | {anonymousEvents} | {P(0.5):0.00} ms | {P(0.95):0.00} ms | {P(0.99):0.00} ms | {millis[^1]:0.00} ms |

            One merge at a time on SQLite: the survivor locks the anonymous entity, folds its profile in and writes
            both rows and the merge record in one transaction (docs/identity.md).
            """;
        Console.WriteLine(md);
        Report.Write("merge", md, command, new { merges, anonymous_events = anonymousEvents, p50_ms = P(0.5), p95_ms = P(0.95), p99_ms = P(0.99), max_ms = millis[^1] });
        return 0;
    }
}
