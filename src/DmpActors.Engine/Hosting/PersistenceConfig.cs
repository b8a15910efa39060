using Akka.Configuration;

namespace DmpActors.Engine.Hosting;

/// <summary>
/// Akka.Persistence for the low-rate durable state (segment definitions): on the profile store's database. SQLite:
/// <c>journal.db</c> and <c>snapshots.db</c> beside <c>profiles.db</c> in Dmp:Storage:DataDirectory; PostgreSQL: tables
/// <c>dmp_journal</c>, <c>dmp_snapshot</c> (and the plugin's <c>dmp_journal_metadata</c>, <c>dmp_tags</c>) in the same
/// database; the memory store: Akka's in-memory journal and snapshot store (gone when the node stops).
/// </summary>
public static class PersistenceConfig
{
    public static Config For(StorageOptions storage)
    {
        var config = storage.Provider.ToLowerInvariant() switch
        {
            "memory" => ConfigurationFactory.ParseString("""
                akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                """),
            "postgresql" => Sql("PostgreSQL.15", storage.ConnectionString!, storage.ConnectionString!),
            _ => Sql("SQLite.MS",
                $"Data Source={Path.GetFullPath(Path.Combine(storage.DataDirectory, "journal.db"))}",
                $"Data Source={Path.GetFullPath(Path.Combine(storage.DataDirectory, "snapshots.db"))}"),
        };
        return config.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    private static Config Sql(string provider, string journal, string snapshots) => ConfigurationFactory.ParseString($$"""
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.sql"
            sql {
              connection-string = {{Quote(journal)}}
              provider-name = "{{provider}}"
              auto-initialize = true
              default {
                journal.table-name = "dmp_journal"
                metadata.table-name = "dmp_journal_metadata"
                tag.table-name = "dmp_tags"
              }
            }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.sql"
            sql {
              connection-string = {{Quote(snapshots)}}
              provider-name = "{{provider}}"
              auto-initialize = true
              default.snapshot.table-name = "dmp_snapshot"
            }
          }
        }
        """);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
