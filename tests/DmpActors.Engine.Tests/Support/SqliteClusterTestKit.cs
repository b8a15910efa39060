using Akka.Cluster;
using Akka.TestKit.Xunit2;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Tests.Support;

/// <summary>A one-node cluster whose journal and snapshot store are SQLite files in a directory of its own.</summary>
public abstract class SqliteClusterTestKit : TestKit
{
    protected SqliteClusterTestKit() : this(new TempDirectory())
    {
    }

    private SqliteClusterTestKit(TempDirectory directory)
        : base(PersistenceConfig.For(new StorageOptions { DataDirectory = directory.Path })
            .WithFallback(AkkaConfig.For(new NodeOptions { Port = 0 })))
    {
        Directory = directory;
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
    }

    protected TempDirectory Directory { get; }

    protected override void AfterAll()
    {
        base.AfterAll();
        Directory.Dispose();
    }
}
