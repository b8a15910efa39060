using System.Collections.Concurrent;
using System.Text;
using DmpActors.Engine.Observability;
using DmpActors.Engine.Tests.Support;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Tests.Observability;

public sealed class LogPrivacyTests
{
    [Fact]
    public void A_user_reference_is_stable_distinct_and_does_not_contain_the_id()
    {
        var reference = LogRedaction.UserRef("jane.doe@example.com");

        Assert.Equal(reference, LogRedaction.UserRef("jane.doe@example.com"));
        Assert.NotEqual(reference, LogRedaction.UserRef("john.doe@example.com"));
        Assert.Matches("^user#[0-9a-f]{12}$", reference);
        Assert.DoesNotContain("jane", reference);
    }

    [Fact]
    public async Task Ingesting_events_with_email_ids_and_traits_logs_neither_at_any_level()
    {
        // Given an engine whose every log line, Akka's included, is captured at Debug
        var lines = new ConcurrentQueue<string>();
        await using var harness = new EngineHarness { Logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturedLogs(lines))) };
        await using (var engine = await harness.StartEngineAsync())
        {
            // When users identified by email send events, traits and invalid records
            const string user = "jane.doe@example.com";
            harness.Produce(user, TestEvents.PageView("p-1", user));
            harness.Produce(user, Encoding.UTF8.GetBytes($$$"""{"event_id":"p-2","type":"identify","user_id":"{{{user}}}","timestamp":"{{{TestEvents.BaseTime:O}}}","traits":{"email":"secret.trait@example.com","phone":"+44 7700 900123"}}"""));
            harness.Produce(user, Encoding.UTF8.GetBytes($$$"""{"event_id":"p-3","type":"teleport","user_id":"{{{user}}}","traits":{"email":"secret.trait@example.com"}}"""));
            harness.Flush();
            await Eventually.True(async () => (await engine.GetProfileAsync(user, TimeSpan.FromSeconds(10)))?.EventsApplied == 2,
                TimeSpan.FromSeconds(60), "both valid events applied");
            await Eventually.True(() => engine.Ingest!.Status.RecordsCheckpointed >= 3, TimeSpan.FromSeconds(60), "all three records checkpointed");
        }

        // Then the logs (which did say things) never name the email ids or the trait values
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, l => l.Contains("@example.com") || l.Contains("7700"));
    }

}
