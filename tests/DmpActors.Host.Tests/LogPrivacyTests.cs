using System.Net;
using System.Net.Http.Json;

namespace DmpActors.Host.Tests;

/// <summary>What a node prints while it serves distinctive users: none of their ids, emails or traits.</summary>
public sealed class LogPrivacyTests
{
    private const string UserId = "hannelore-zq4471";
    private const string AnonymousId = "anon-zq4471-device";
    private const string Email = "hannelore.zq4471@example.org";
    private const string Phone = "+44 7700 900471";
    private const string Name = "Hannelore Quarzberg";
    private static readonly string[] Personal = [UserId, AnonymousId, Email, Phone, Name];

    private static string Identify(string eventId) =>
        $$$"""{"event_id":"{{{eventId}}}","type":"identify","user_id":"{{{UserId}}}","anonymous_id":"{{{AnonymousId}}}","timestamp":"{{{Events.Base.AddMinutes(5):O}}}","traits":{"email":"{{{Email}}}","phone":"{{{Phone}}}","name":"{{{Name}}}"}}""";

    [Fact]
    public async Task A_node_serving_a_user_from_first_event_to_erasure_logs_no_user_id_email_or_trait()
    {
        // Given a node as a process, every line it prints captured, with default logging plus the actors' information lines
        await using var host = await HostProcess.StartAsync("--Logging:LogLevel:Akka=Information", "--Dmp:Kafka:BootstrapServers=127.0.0.1:0", "--Dmp:Node:Port=0",
            $"--Dmp:Storage:DataDirectory={Path.Combine(Path.GetTempPath(), "dmp-host-tests", Guid.NewGuid().ToString("N"))}",
            "--Dmp:Ingest:CheckpointInterval=00:00:00.200");
        var http = host.Http;

        // When the user browses anonymously, signs in (a merge), buys, sends a malformed event, is read, exported and erased
        var sent = await http.PostAsync("/v1/events", Events.Batch([
            Events.PageView("pii-1", AnonymousId).Replace("\"user_id\"", "\"anonymous_id\""),
            Identify("pii-2"),
            Events.Purchase("pii-3", UserId, 42m),
            $$$"""{"event_id":"pii-4","type":"no_such_type","user_id":"{{{UserId}}}","traits":{"email":"{{{Email}}}"}}""",
        ]));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Wait.ForProfile(http, UserId, p => p.GetProperty("orders").GetInt32() == 1 && p.GetProperty("known_ids").GetArrayLength() >= 2, TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/profiles/{UserId}/identity")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/profiles/{UserId}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/v1/profiles/{UserId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/profiles/{Uri.EscapeDataString(Email)}")).StatusCode);
        await http.PostAsync("/v1/events", Events.Json(Events.PageView("pii-5", UserId)));
        Assert.Equal(0, await host.TerminateAsync(TimeSpan.FromSeconds(60)));

        // Then the log has the node's story but nothing that identifies the person
        var log = host.Output;
        Assert.Contains("Erased a profile", log);
        Assert.Contains("Engine stopped", log);
        foreach (var value in Personal.Concat(Personal.Select(Uri.EscapeDataString)).Distinct())
            Assert.False(log.Contains(value, StringComparison.OrdinalIgnoreCase), $"the log contains '{value}':\n{log}");
    }

    [Theory]
    [InlineData("akka.tcp://dmp@127.0.0.1:4053/system/sharding/user/80/ann%40example.org", "akka.tcp://dmp@127.0.0.1:4053/system/sharding/user/80/{ref}")]
    [InlineData("Message [Apply] to [akka://dmp/system/sharding/user/3/ann%40example.org#1234] was not delivered", "Message [Apply] to [akka://dmp/system/sharding/user/3/{ref}#1234] was not delivered")]
    [InlineData("akka://dmp/system/sharding/userCoordinator/singleton", "akka://dmp/system/sharding/userCoordinator/singleton")]
    public void Actor_paths_of_user_entities_name_the_users_reference_not_their_id(string text, string expected)
    {
        Assert.Equal(expected.Replace("{ref}", DmpActors.Engine.Observability.LogRedaction.UserRef("ann@example.org")),
            DmpActors.Engine.Observability.LogRedaction.RedactActorPaths(text));
    }
}
