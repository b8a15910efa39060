using DmpActors.Deploy.Tests.Support;
using DmpActors.Engine.Hosting;

namespace DmpActors.Deploy.Tests;

/// <summary>docker-compose.yml cannot run here (no Docker engine): it is parsed and checked against the code instead.</summary>
[Collection(RunningHostCollection.Name)]
public sealed class ComposeTests(RunningHost host)
{
    private static readonly YamlNode Compose = YamlNode.Load("docker-compose.yml");
    private static readonly IReadOnlyList<(string Key, YamlNode Value)> Services = Compose["services"].Entries;

    /// <summary>The DmpActors nodes: services built from this repository's Dockerfile.</summary>
    private static IEnumerable<(string Name, YamlNode Service, IReadOnlyDictionary<string, string> Environment)> Nodes =>
        Services.Where(s => s.Value.Get("build") is not null).Select(s => (s.Key, s.Value, s.Value["environment"].Strings));

    private static YamlNode Service(string name) => Services.Single(s => s.Key == name).Value;

    [Fact]
    public void Kafka_runs_in_kraft_mode_from_the_official_image_without_zookeeper()
    {
        var kafka = Service("kafka");

        Assert.StartsWith("apache/kafka:", kafka["image"].Text);
        Assert.Contains("controller", kafka["environment"].Strings["KAFKA_PROCESS_ROLES"]);
        Assert.DoesNotContain(Services, s => s.Key.Contains("zookeeper") || (s.Value.Get("image")?.Text.Contains("zookeeper") ?? false));
        Assert.StartsWith("postgres:15", Service("postgres")["image"].Text);
    }

    [Fact]
    public void Three_nodes_run_the_docker_profile_and_every_variable_they_set_binds_to_a_valid_option()
    {
        Assert.Equal(3, Nodes.Count());
        foreach (var (_, _, environment) in Nodes)
        {
            Assert.Equal("docker", environment["DMP_PROFILE"]);
            DeployedConfiguration.Options(environment);
        }
    }

    [Fact]
    public void Seed_nodes_are_the_hostnames_and_akka_ports_the_nodes_listen_on()
    {
        var nodes = Nodes.Select(n => (n.Name, n.Service, Options: DeployedConfiguration.Options(n.Environment))).ToList();
        var listening = nodes.Select(n => $"akka.tcp://{n.Options.Node.ClusterName}@{n.Options.Node.Hostname}:{n.Options.Node.Port}").ToHashSet();

        foreach (var (name, service, options) in nodes)
        {
            Assert.Equal(name, options.Node.Hostname);
            Assert.Equal(name, service["hostname"].Text);
            Assert.Equal(listening, options.Node.SeedNodes.ToHashSet());
        }
        Assert.Equal(3, nodes.Select(n => n.Options.Node.Port).Distinct().Count());
    }

    [Fact]
    public async Task Healthchecks_call_readyz_on_the_http_port_each_node_listens_on_and_publishes()
    {
        var httpPorts = new HashSet<int>();
        foreach (var (name, service, environment) in Nodes)
        {
            var port = DeployedConfiguration.HttpPort(environment);
            var test = service["healthcheck"]["test"].Items.Select(i => i.Text).ToList();
            var url = new Uri(test.Single(t => t.StartsWith("http://", StringComparison.Ordinal)));

            Assert.Equal("CMD", test[0]);
            Assert.Equal(port, url.Port);
            Assert.Equal("/readyz", url.AbsolutePath);
            Assert.True(await host.MapsAsync(url.AbsolutePath), $"{name}: the host maps no {url.AbsolutePath}");
            Assert.Contains($"{port}:{port}", service["ports"].Items.Select(p => p.Text));
            httpPorts.Add(port);
        }
        Assert.Equal(3, httpPorts.Count);
    }

    [Fact]
    public async Task Prometheus_scrapes_every_node_at_its_http_port_on_a_path_the_host_maps()
    {
        var mount = Service("prometheus")["volumes"].Items.Select(v => v.Text.Split(':')).Single(v => v[1] == "/etc/prometheus/prometheus.yml");
        var config = YamlNode.Load(mount[0]);
        var job = Assert.Single(config["scrape_configs"].Items);
        var targets = job["static_configs"].Items.SelectMany(c => c["targets"].Items.Select(t => t.Text)).ToHashSet();

        Assert.Equal(Nodes.Select(n => $"{n.Name}:{DeployedConfiguration.HttpPort(n.Environment)}").ToHashSet(), targets);
        Assert.True(await host.MapsAsync(job["metrics_path"].Text));
    }

    [Fact]
    public void Nodes_reach_kafka_and_postgres_as_compose_names_and_configures_them()
    {
        var kafka = Service("kafka")["environment"].Strings;
        var postgres = Service("postgres")["environment"].Strings;
        foreach (var (_, _, environment) in Nodes)
        {
            var options = DeployedConfiguration.Options(environment);
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(options.Storage.ConnectionString);

            Assert.Contains("PLAINTEXT://" + options.Kafka.BootstrapServers, kafka["KAFKA_ADVERTISED_LISTENERS"].Split(','));
            Assert.Equal(("postgres", postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]),
                (connection.Host, connection.Username, connection.Password, connection.Database));
        }
    }

    [Fact]
    public void The_topics_compose_creates_are_the_topics_the_nodes_use()
    {
        var script = string.Join("\n", Service("kafka-topics")["command"].Items.Select(i => i.Text));
        var kafka = DeployedConfiguration.Options(Nodes.First().Environment).Kafka;

        foreach (var topic in new[] { kafka.EventsTopic, kafka.DeadLetterTopic, kafka.SegmentChangesTopic, kafka.OffersTopic })
            Assert.Matches($@"\bfor topic in [^;]*\b{System.Text.RegularExpressions.Regex.Escape(topic)}\b", script);
    }

    [Fact]
    public void Dependencies_wait_on_real_conditions_and_volumes_are_declared()
    {
        string[] conditions = ["service_started", "service_healthy", "service_completed_successfully"];
        var declared = Compose["volumes"].Entries.Select(v => v.Key).ToHashSet();
        foreach (var (name, service) in Services)
        {
            foreach (var (dependency, spec) in service.Get("depends_on")?.Entries ?? [])
            {
                var condition = spec["condition"].Text;
                Assert.Contains(condition, conditions);
                if (condition == "service_healthy") Assert.NotNull(Service(dependency).Get("healthcheck"));
            }
            foreach (var source in (service.Get("volumes")?.Items ?? []).Select(v => v.Text.Split(':')[0]))
            {
                if (source.StartsWith('.')) Assert.True(File.Exists(Repo.Path(source)) || Directory.Exists(Repo.Path(source)), $"{name}: {source} does not exist");
                else Assert.Contains(source, declared);
            }
        }
        Assert.All(Nodes, n => Assert.Equal("service_healthy", n.Service["depends_on"]["postgres"]["condition"].Text));
    }
}
