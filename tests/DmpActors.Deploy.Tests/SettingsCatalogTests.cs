using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.Configuration;

namespace DmpActors.Deploy.Tests;

public sealed class SettingsCatalogTests
{
    private static IReadOnlyList<string> Check(params (string Key, string Value)[] settings) =>
        SettingsCatalog.Check(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void A_misspelt_key_is_reported_as_unknown()
    {
        Assert.Equal(["Dmp:Kafka:BootstrapSevers: unknown setting (misspelt? the keys are listed in docs/configuration.md)"],
            Check(("Dmp:Kafka:BootstrapSevers", "kafka:9092")));
    }

    [Fact]
    public void Keys_match_in_any_case_as_environment_variables_spell_them()
    {
        Assert.Empty(Check(("DMP:KAFKA:BOOTSTRAPSERVERS", "kafka:9092"), ("dmp:node:port", "4053"), ("Dmp:Demo:Rate", "10")));
    }

    [Fact]
    public void List_items_bind_to_their_list_and_an_empty_list_is_fine()
    {
        Assert.Empty(Check(("Dmp:Node:SeedNodes:0", "akka.tcp://dmp@a:1"), ("Dmp:Node:SeedNodes:1", "akka.tcp://dmp@b:2")));
        Assert.Empty(Check(("Dmp:Node:SeedNodes", "")));
        Assert.Single(Check(("Dmp:Node:Port:0", "1")));
    }

    [Fact]
    public void Items_of_a_list_of_objects_bind_field_by_field_and_a_misspelt_field_is_unknown()
    {
        Assert.Empty(Check(("Dmp:Security:Keys:0:Name", "collector"), ("Dmp:Security:Keys:0:Roles:1", "read"), ("DMP:SECURITY:KEYS:12:HASH", "ab"),
            ("Dmp:Security:Keys", "")));
        Assert.Equal(["Dmp:Security:Keys:0:Nmae: unknown setting (misspelt? the keys are listed in docs/configuration.md)"],
            Check(("Dmp:Security:Keys:0:Nmae", "collector")));
        Assert.Equal(["Dmp:Security:Keys:3:RequestsPerSecond: 'fast' is not a whole number (Int32)"], Check(("Dmp:Security:Keys:3:RequestsPerSecond", "fast")));
    }

    [Fact]
    public void A_value_that_does_not_convert_names_the_canonical_key_and_the_expected_form()
    {
        Assert.Equal(
            [
                "Dmp:Ingest:AckTimeout: 'later' is not a duration like 00:00:30",
                "Dmp:Kafka:LogGeneration: 'one' is not a whole number (Int64)",
                "Dmp:Node:Port: '99999999999' is not a whole number (Int32)",
            ],
            Check(("dmp:ingest:acktimeout", "later"), ("Dmp:Kafka:LogGeneration", "one"), ("Dmp:Node:Port", "99999999999")).Order());
    }

    [Fact]
    public void An_empty_value_unsets_an_optional_number_but_not_a_required_one()
    {
        Assert.Empty(Check(("Dmp:Kafka:LogGeneration", "")));
        Assert.Single(Check(("Dmp:Kafka:Partitions", "")));
    }

    [Fact]
    public void Every_validation_failure_names_a_key_the_catalog_knows()
    {
        var broken = new DmpOptions
        {
            Node = new NodeOptions { ClusterName = "no spaces", Hostname = "", Port = -1, SeedNodes = ["dmp@x:1"] },
            Kafka = new KafkaOptions
            {
                BootstrapServers = "nohost", Partitions = 0, EmbeddedBrokers = 9, EventsTopic = "", DeadLetterTopic = "", GroupId = "", LogGeneration = 0,
            },
            Storage = new StorageOptions { Provider = "postgresql", ConnectionString = "Nonsense=1", DataDirectory = "" },
            Ingest = new IngestOptions
            {
                CheckpointInterval = TimeSpan.Zero, MaxEventsPerCheckpoint = 0, MaxInFlight = 3, AckTimeout = TimeSpan.Zero,
                CheckpointTimeout = TimeSpan.Zero, PassivateAfter = TimeSpan.Zero, MaxRestartBackoff = TimeSpan.Zero,
            },
        };

        var errors = broken.Validate();

        Assert.Equal(20, errors.Count);
        Assert.All(errors, error => Assert.NotNull(SettingsCatalog.Find(error[..error.IndexOf(": ", StringComparison.Ordinal)])));
    }

    [Theory]
    [InlineData("akka.tcp://dmp@dmp-0.dmp-headless.dmp.svc.cluster.local:4053", true)]
    [InlineData("akka.tcp://dmp@127.0.0.1:4053", true)]
    [InlineData("akka.tcp://other@127.0.0.1:4053", false)]
    [InlineData("akka://dmp@127.0.0.1:4053", false)]
    [InlineData("akka.tcp://dmp@127.0.0.1", false)]
    [InlineData("akka.tcp://dmp@127.0.0.1:4053/user", false)]
    [InlineData("dmp@127.0.0.1:4053", false)]
    public void Seed_nodes_must_be_tcp_addresses_of_this_cluster(string seed, bool valid)
    {
        var options = new DmpOptions { Node = new NodeOptions { SeedNodes = [seed] } };

        Assert.Equal(valid, !options.Validate().Any(e => e.StartsWith("Dmp:Node:SeedNodes:0: ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("kafka:9092", true, true)]
    [InlineData("a:9092,b:9093", false, true)]
    [InlineData("127.0.0.1:0", true, true)]
    [InlineData("127.0.0.1:0", false, false)]
    [InlineData("kafka", false, false)]
    [InlineData(":9092", false, false)]
    [InlineData("kafka:port", false, false)]
    public void Bootstrap_servers_must_be_host_port_pairs(string servers, bool embedded, bool valid)
    {
        var options = new DmpOptions { Kafka = new KafkaOptions { BootstrapServers = servers, Embedded = embedded } };

        Assert.Equal(valid, !options.Validate().Any(e => e.StartsWith("Dmp:Kafka:BootstrapServers: ", StringComparison.Ordinal)));
    }
}
