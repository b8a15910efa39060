using System.Text.RegularExpressions;
using Akka.Configuration;
using DmpActors.Deploy.Tests.Support;
using DmpActors.Engine.Hosting;

namespace DmpActors.Deploy.Tests;

/// <summary>deploy/kubernetes cannot be applied here (no cluster): the manifests are parsed and checked against the code.</summary>
[Collection(RunningHostCollection.Name)]
public sealed partial class KubernetesTests(RunningHost host)
{
    private const string Directory = "deploy/kubernetes";
    private static readonly YamlNode Kustomization = YamlNode.Load($"{Directory}/kustomization.yaml");
    private static readonly IReadOnlyList<YamlNode> Resources =
        Kustomization["resources"].Items.SelectMany(r => YamlNode.LoadAll($"{Directory}/{r.Text}")).ToList();

    private static YamlNode Kind(string kind) => Resources.Single(r => r["kind"].Text == kind);
    private static YamlNode Named(string kind, string name) => Resources.Single(r => r["kind"].Text == kind && r["metadata"]["name"].Text == name);

    private static YamlNode StatefulSet => Kind("StatefulSet");
    private static YamlNode Pod => StatefulSet["spec"]["template"];
    private static YamlNode Container => Assert.Single(Pod["spec"]["containers"].Items);
    private static string Namespace => Kustomization["namespace"].Text;
    private static int Replicas => StatefulSet["spec"]["replicas"].Int;
    private static int ContainerPort(string name) => Container["ports"].Items.Single(p => p["name"].Text == name)["containerPort"].Int;

    /// <summary>The environment pod <paramref name="ordinal"/> gets: envFrom sources, then env, with $(VAR) expanded as Kubernetes does.</summary>
    private static Dictionary<string, string> PodEnvironment(int ordinal)
    {
        var environment = new Dictionary<string, string>();
        foreach (var source in Container["envFrom"].Items)
        {
            var (kind, reference) = source.Get("configMapRef") is { } map ? ("ConfigMap", map) : ("Secret", source["secretRef"]);
            var resource = Named(kind, reference["name"].Text);
            foreach (var (key, value) in (resource.Get("data") ?? resource["stringData"]).Strings) environment[key] = value;
        }
        var fields = new Dictionary<string, string> { ["metadata.name"] = $"{StatefulSet["metadata"]["name"].Text}-{ordinal}", ["metadata.namespace"] = Namespace };
        foreach (var variable in Container["env"].Items)
        {
            var value = variable.Get("value")?.Text ?? fields[variable["valueFrom"]["fieldRef"]["fieldPath"].Text];
            environment[variable["name"].Text] = KubernetesReference().Replace(value, m => environment[m.Groups[1].Value]);
        }
        return environment;
    }

    /// <summary>The env values as written, before $(VAR) expansion: helpers like POD_NAME count as used when referenced here.</summary>
    private static IEnumerable<string> DeclaredValues => Container["env"].Items.Select(v => v.Get("value")?.Text ?? "");

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex KubernetesReference();

    [Fact]
    public void Kustomization_lists_every_manifest_and_each_parses()
    {
        var listed = Kustomization["resources"].Items.Select(r => r.Text).ToHashSet();
        var present = System.IO.Directory.GetFiles(Repo.Path(Directory), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").ToHashSet();

        Assert.Equal(present, listed);
        Assert.All(Resources, r => Assert.NotEmpty(r["apiVersion"].Text));
    }

    [Fact]
    public void StatefulSet_runs_three_replicas_behind_a_headless_service_that_publishes_not_ready_pods()
    {
        var headless = Named("Service", StatefulSet["spec"]["serviceName"].Text);
        var labels = Pod["metadata"]["labels"].Strings;

        Assert.Equal(3, Replicas);
        Assert.Equal("None", headless["spec"]["clusterIP"].Text);
        Assert.Equal("true", headless["spec"]["publishNotReadyAddresses"].Text);
        Assert.All(Resources.Where(r => r["kind"].Text == "Service"), service =>
            Assert.All(service["spec"]["selector"].Strings, s => Assert.Equal(labels[s.Key], s.Value)));
        Assert.All(StatefulSet["spec"]["selector"]["matchLabels"].Strings, s => Assert.Equal(labels[s.Key], s.Value));
        Assert.Equal(ContainerPort("akka"), headless["spec"]["ports"].Items.Single(p => p["name"].Text == "akka")["port"].Int);
    }

    [Fact]
    public void Http_service_targets_the_container_http_port()
    {
        var service = Resources.Single(r => r["kind"].Text == "Service" && r["spec"].Get("clusterIP") is null);

        Assert.Equal("http", Assert.Single(service["spec"]["ports"].Items)["targetPort"].Text);
    }

    [Fact]
    public void Disruption_budget_keeps_a_majority_of_the_nodes()
    {
        var spec = Kind("PodDisruptionBudget")["spec"];
        var labels = Pod["metadata"]["labels"].Strings;
        var mayBeDown = spec.Get("maxUnavailable")?.Int ?? Replicas - spec["minAvailable"].Int;

        Assert.True(Replicas - mayBeDown > Replicas / 2, $"{mayBeDown} of {Replicas} may be down: no majority left for keep-majority");
        Assert.All(spec["selector"]["matchLabels"].Strings, s => Assert.Equal(labels[s.Key], s.Value));
    }

    [Fact]
    public void Every_variable_a_pod_gets_binds_to_a_valid_option()
    {
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
            Assert.Empty(Options(ordinal).Validate());
    }

    [Fact]
    public void Seed_nodes_are_the_stable_dns_names_and_akka_port_of_the_first_pods()
    {
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            var options = Options(ordinal);
            var headless = StatefulSet["spec"]["serviceName"].Text;
            string Address(int pod) => $"akka.tcp://{options.Node.ClusterName}@dmp-{pod}.{headless}.{Namespace}.svc.cluster.local:{ContainerPort("akka")}";

            Assert.Equal(Enumerable.Range(0, Replicas).Select(Address), options.Node.SeedNodes);
            Assert.Equal(Address(ordinal), $"akka.tcp://{options.Node.ClusterName}@{options.Node.Hostname}:{options.Node.Port}");
        }
    }

    [Fact]
    public async Task Probes_hit_readyz_and_healthz_on_the_port_the_node_listens_on()
    {
        var readiness = Container["readinessProbe"]["httpGet"];
        var liveness = Container["livenessProbe"]["httpGet"];

        Assert.Equal(("/readyz", "http"), (readiness["path"].Text, readiness["port"].Text));
        Assert.Equal(("/healthz", "http"), (liveness["path"].Text, liveness["port"].Text));
        Assert.Equal(ContainerPort("http"), DeployedConfiguration.HttpPort(PodEnvironment(0)));
        Assert.True(await host.MapsAsync("/readyz"));
        Assert.True(await host.MapsAsync("/healthz"));
        Assert.True(await host.MapsAsync(Pod["metadata"]["annotations"].Strings["prometheus.io/path"]));
    }

    [Fact]
    public void PreStop_hook_runs_dmpctl_cluster_leave_for_the_pods_own_address()
    {
        var command = Container["lifecycle"]["preStop"]["exec"]["command"].Items.Select(i => i.Text).ToList();
        Assert.Equal(["/bin/sh", "-c"], command.Take(2));
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            var environment = PodEnvironment(ordinal);
            var options = Options(ordinal);
            var words = ShellWords(ShellVariable().Replace(command[2], m => environment[m.Groups[1].Value]));

            Assert.Equal(
                ["dmpctl", "cluster", "leave", $"akka.tcp://{options.Node.ClusterName}@{options.Node.Hostname}:{options.Node.Port}",
                 "--host", $"http://127.0.0.1:{ContainerPort("http")}", "--api-key", environment["DMP__Admin__ApiKey"]],
                words);
            Assert.Contains(words[3], options.Node.SeedNodes);
        }
    }

    [Fact]
    public void Grace_period_covers_the_hand_off_and_the_hosts_orderly_shutdown()
    {
        var grace = TimeSpan.FromSeconds(Pod["spec"]["terminationGracePeriodSeconds"].Int);
        var handOff = AkkaConfig.For(new NodeOptions()).GetTimeSpan("akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout");

        Assert.True(grace > handOff, $"grace {grace} <= hand-off {handOff}");
        Assert.True(grace > host.ShutdownTimeout, $"grace {grace} <= host shutdown timeout {host.ShutdownTimeout}");
    }

    [Fact]
    public void Pods_run_as_the_images_non_root_user()
    {
        var security = Pod["spec"]["securityContext"];
        var dockerfileUser = Dockerfile.FinalStageUser();

        Assert.Equal("true", security["runAsNonRoot"].Text);
        Assert.Equal("1654", security["runAsUser"].Text);
        Assert.Equal("$APP_UID", dockerfileUser);
    }

    private static DmpOptions Options(int ordinal) => DeployedConfiguration.Options(PodEnvironment(ordinal), DeclaredValues);

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ShellVariable();

    /// <summary>Splits a command line as sh does for plain words and double-quoted strings (all the hook uses).</summary>
    private static List<string> ShellWords(string line) =>
        ShellWord().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();

    [GeneratedRegex("\"([^\"]*)\"|(\\S+)")]
    private static partial Regex ShellWord();
}
