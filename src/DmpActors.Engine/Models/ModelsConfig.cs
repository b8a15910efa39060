using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Persistence.Sql;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Models;

/// <summary>
/// Where the coordinator journals its versions (Akka.Persistence.Sql on the storage database: SQLite files in the
/// data directory, or PostgreSQL; in memory for the memory provider), and remoting frames large enough for a
/// catalogue of trained models.
/// </summary>
public static class ModelsConfig
{
    public const string Journal = "akka.persistence.journal.sql", Snapshots = "akka.persistence.snapshot-store.sql";
    public const string MemoryJournal = "akka.persistence.journal.inmem", MemorySnapshots = "akka.persistence.snapshot-store.inmem";

    public static (string Journal, string Snapshots) PluginsFor(StorageOptions storage) =>
        storage.Provider.Equals("memory", StringComparison.OrdinalIgnoreCase) ? (MemoryJournal, MemorySnapshots) : (Journal, Snapshots);

    public static Config For(StorageOptions storage)
    {
        var frames = ConfigurationFactory.ParseString("""
            akka.remote.dot-netty.tcp {
              maximum-frame-size = 32MiB
              send-buffer-size = 32MiB
              receive-buffer-size = 32MiB
            }
            """)
            // Their serializers known from the start, before the extensions first run on this node.
            .WithFallback(DistributedPubSub.DefaultConfig()).WithFallback(ClusterSingleton.DefaultConfig());
        var provider = storage.Provider.ToLowerInvariant();
        if (provider == "memory") return frames;
        string journal, snapshots, name;
        if (provider == "postgresql")
        {
            journal = snapshots = storage.ConnectionString!;
            name = "PostgreSQL.15";
        }
        else
        {
            Directory.CreateDirectory(storage.DataDirectory);
            // SQLite has one writer per file: the journal and the snapshots get a file each.
            journal = $"Data Source={Path.GetFullPath(Path.Combine(storage.DataDirectory, "state-journal.db"))}";
            snapshots = $"Data Source={Path.GetFullPath(Path.Combine(storage.DataDirectory, "state-snapshots.db"))}";
            name = "SQLite.MS";
        }

        var sql = ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.sql {
              connection-string = "{{journal}}"
              provider-name = "{{name}}"
              auto-initialize = true
              parallelism = 1
            }
            akka.persistence.snapshot-store.sql {
              connection-string = "{{snapshots}}"
              provider-name = "{{name}}"
              auto-initialize = true
            }
            """);
        return frames.WithFallback(sql).WithFallback(SqlPersistence.DefaultConfiguration);
    }
}
