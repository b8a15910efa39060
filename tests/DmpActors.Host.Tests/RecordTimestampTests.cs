using System.Net.Http.Json;
using System.Text;
using Confluent.Kafka;

namespace DmpActors.Host.Tests;

/// <summary>The ingest pipeline judges a Kafka record's future check against the record's own timestamp, so reading
/// it again later (a replay, a restart) cannot turn a dead-lettered event into an applied one.</summary>
public sealed class RecordTimestampTests : IClassFixture<HttpApiTests.Host>
{
    private readonly HttpApiTests.Host _host;

    public RecordTimestampTests(HttpApiTests.Host host) => _host = host;

    [Fact]
    public async Task A_record_read_a_day_after_it_was_written_is_judged_against_its_own_timestamp()
    {
        // Given records written a day ago: one event 6 minutes ahead of its record (too far), one 4 minutes ahead.
        var written = DateTimeOffset.UtcNow.AddDays(-1);
        string Event(string id, string type, DateTimeOffset at, string properties) =>
            $$"""{"event_id":"{{id}}","type":"{{type}}","user_id":"replayed","timestamp":"{{at:O}}","properties":{{properties}}}""";
        var producer = _host.Runtime.Engine.Producer;
        var topic = _host.Runtime.Options.Kafka.EventsTopic;
        async Task Produce(string json, DateTimeOffset recordTime) =>
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]>
            {
                Key = "replayed"u8.ToArray(), Value = Encoding.UTF8.GetBytes(json), Timestamp = new Timestamp(recordTime),
            });

        // When they are consumed now (as a replay would read them).
        await Produce(Event("rt-ahead", "page_view", written.AddMinutes(6), """{"url":"/a"}"""), written);
        await Produce(Event("rt-within", "page_view", written.AddMinutes(4), """{"url":"/b"}"""), written);
        await Produce(Event("rt-marker", "search", written.AddMinutes(1), """{"query":"q"}"""), written);

        // Then the one within the skew of its record is applied and the other is not, although both lie in the
        // past of the consumer's clock. The marker comes after both on the same partition, so both were judged.
        await Wait.ForProfile(_host.Http, "replayed", p => p.GetProperty("event_counts").TryGetProperty("search", out _), TimeSpan.FromSeconds(30));
        var profile = await _host.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/profiles/replayed");
        Assert.Equal(2, profile.GetProperty("events_applied").GetInt64());
        Assert.Equal(1, profile.GetProperty("event_counts").GetProperty("page_view").GetInt64());
    }
}
