using DmpActors.Deploy.Tests.Support;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Runtime;
using Microsoft.Extensions.Configuration;

namespace DmpActors.Deploy.Tests;

public sealed class ProfileTests
{
    public static TheoryData<string> Profiles => new(HostConfiguration.Profiles(Repo.ConfigDirectory));

    [Fact]
    public void Config_offers_the_embedded_cluster_and_docker_profiles()
    {
        Assert.Superset(new HashSet<string> { "embedded", "cluster", "docker" }, HostConfiguration.Profiles(Repo.ConfigDirectory).ToHashSet());
    }

    /// <summary>A profile and one API key, the one setting a non-embedded profile cannot ship with.</summary>
    private static Dictionary<string, string> WithKey(string profile) => new()
    {
        ["DMP_PROFILE"] = profile,
        ["DMP__Security__Keys__0__Name"] = "operator",
        ["DMP__Security__Keys__0__Hash"] = new string('a', 64),
        ["DMP__Security__Keys__0__Roles__0"] = "admin",
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_profile_loads_and_validates_given_only_an_api_key(string profile)
    {
        var options = DeployedConfiguration.Options(WithKey(profile));

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Embedded_profile_is_the_base_file_alone_one_node_embedded_broker_sqlite()
    {
        var files = HostConfiguration.ProfileFiles(Repo.ConfigDirectory, ("--profile", "embedded"));
        var options = DeployedConfiguration.Options(new Dictionary<string, string> { ["DMP_PROFILE"] = "embedded" });

        Assert.Equal(["appsettings.json"], files);
        Assert.Empty(options.Node.SeedNodes);
        Assert.True(options.Kafka.Embedded);
        Assert.Equal("sqlite", options.Storage.Provider);
    }

    [Fact]
    public void Cluster_profile_uses_seed_nodes_an_external_kafka_and_postgresql()
    {
        var options = DeployedConfiguration.Options(WithKey("cluster"));

        Assert.NotEmpty(options.Node.SeedNodes);
        Assert.Contains($"akka.tcp://{options.Node.ClusterName}@{options.Node.Hostname}:{options.Node.Port}", options.Node.SeedNodes);
        Assert.False(options.Kafka.Embedded);
        Assert.Equal("postgresql", options.Storage.Provider);
    }

    [Fact]
    public void Unknown_profile_is_refused_naming_where_it_was_chosen_and_the_profiles_that_exist()
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            HostConfiguration.ProfileFiles(Repo.ConfigDirectory, ("DMP_PROFILE", "clustr")));

        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("DMP_PROFILE: unknown profile 'clustr' (available: ", error);
        Assert.Contains("cluster", error);
    }

    [Fact]
    public void Profile_flag_without_a_name_is_refused()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => HostConfiguration.ProfileFiles(Repo.ConfigDirectory, ("--profile", "")));

        Assert.StartsWith("--profile: needs a profile name", Assert.Single(refused.Errors));
    }

    [Fact]
    public void A_bare_demo_switch_does_not_swallow_the_setting_after_it()
    {
        // Given --demo followed by a setting, as the README's examples put them
        string[] args = ["--demo", "--Dmp:Kafka:Partitions=3"];

        // When the command line is read the way the host reads it
        var configuration = new ConfigurationBuilder().AddCommandLine(HostConfiguration.ExpandSwitches(args)).Build();

        // Then the setting is there and the switch is on
        Assert.Equal("3", configuration["Dmp:Kafka:Partitions"]);
        Assert.Equal("true", configuration["demo"]);
        Assert.Equal(["--Dmp:Kafka:Partitions=3"], HostConfiguration.ExpandSwitches(["--Dmp:Kafka:Partitions=3"]));
    }
}
