using System.Xml.Linq;
using DmpActors.Deploy.Tests.Support;

namespace DmpActors.Deploy.Tests;

/// <summary>Directory.Packages.props keeps one Akka.NET version across every project and what the packages bring in.</summary>
public sealed class PackageVersionsTests
{
    private static readonly XDocument Props = XDocument.Load(Repo.Path("Directory.Packages.props"));

    private static string Property(string name) => Props.Descendants(name).Single().Value;

    [Fact]
    public void Transitive_dependencies_are_pinned_to_the_central_versions()
    {
        Assert.Equal("true", Property("CentralPackageTransitivePinningEnabled"));
    }

    [Fact]
    public void Every_Akka_package_but_the_separately_released_Sql_plugin_uses_the_one_Akka_version()
    {
        var akka = Props.Descendants("PackageVersion")
            .Select(p => (Name: p.Attribute("Include")!.Value, Version: p.Attribute("Version")!.Value))
            .Where(p => p.Name == "Akka" || p.Name.StartsWith("Akka.", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(akka, p => p.Name == "Akka.Cluster.Sharding");
        Assert.All(akka.Where(p => p.Name != "Akka.Persistence.Sql"), p => Assert.Equal("$(AkkaVersion)", p.Version));
        Assert.Matches(@"^\d+\.\d+\.\d+$", Property("AkkaVersion"));
    }
}
