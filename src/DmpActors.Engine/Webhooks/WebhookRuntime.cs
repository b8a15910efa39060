using Akka.Configuration;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Webhooks;

/// <summary>What every endpoint actor shares: the HTTP client, delivery settings, clock and journal.</summary>
public sealed record WebhookRuntime(HttpClient Http, WebhookDeliverySettings Delivery, TimeProvider Clock, WebhookPersistence Persistence)
{
    /// <summary>
    /// One client for all endpoints: its handler keeps a connection pool per endpoint host with no limit on connections,
    /// so a stalled endpoint holds only its own connections. Attempt timeouts come from the pipeline, not the client.
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}

/// <summary>
/// The webhook journal: Akka.Persistence.Sql on the profile store's database (a file of its own with SQLite, whose single
/// writer the profile checkpoints keep busy; the same database with PostgreSQL, in tables of its own), or Akka's
/// in-memory journal with the memory store. Outboxes write one row per message and outcome: low-rate state that the
/// journal suits, and an event log is the delivery history the API shows.
/// </summary>
public sealed record WebhookPersistence(string JournalPluginId, Config Config)
{
    public const string SqlPluginId = "akka.persistence.journal.dmp-webhooks";

    public static WebhookPersistence For(StorageOptions storage)
    {
        var provider = storage.Provider.ToLowerInvariant();
        if (provider == "memory") return new WebhookPersistence("akka.persistence.journal.inmem", Config.Empty);
        var (name, connection, parallelism) = provider == "postgresql"
            ? ("PostgreSQL.15", storage.ConnectionString!, 3)
            : ("SQLite.MS", $"Data Source={Path.GetFullPath(Path.Combine(storage.DataDirectory, "webhooks.db"))};Pooling=True", 1);
        var config = ConfigurationFactory.ParseString($$"""
            {{SqlPluginId}} {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              plugin-dispatcher = "akka.persistence.dispatchers.default-plugin-dispatcher"
              connection-string = "{{connection.Replace("\"", "\\\"")}}"
              provider-name = "{{name}}"
              parallelism = {{parallelism}}
              auto-initialize = true
              table-mapping = default
              default.journal.table-name = "webhook_journal"
              default.metadata.table-name = "webhook_journal_metadata"
              default.tag.table-name = "webhook_tags"
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        return new WebhookPersistence(SqlPluginId, config);
    }
}
