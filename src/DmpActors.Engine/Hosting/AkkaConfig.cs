using Akka.Configuration;

namespace DmpActors.Engine.Hosting;

/// <summary>The one place that turns typed options into Akka configuration.</summary>
public static class AkkaConfig
{
    public static Config For(NodeOptions node, TimeSpan? passivateIdleAfter = null)
    {
        // Without seed nodes the engine joins itself (DmpEngine.JoinAsync): a one-node cluster.
        var seedList = string.Join(", ", node.SeedNodes.Select(s => $"\"{s}\""));
        var grace = node.StopGrace;
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              loggers = ["DmpActors.Engine.Hosting.AkkaLoggerBridge, DmpActors.Engine"]
              logger-startup-timeout = 10s
              # The host stops the engine in order (ingest, final checkpoint, hand-off); Akka must not race it.
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              # Every phase fits in Node:StopGrace: ingest drains and takes its last checkpoint in the first half,
              # hand-off saves the dirty users in most of the rest, and leaving the cluster gets what remains.
              coordinated-shutdown.phases.service-stop.timeout = {{Ms(grace * 0.5)}}ms
              coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = {{Ms(grace * 0.3)}}ms
              coordinated-shutdown.phases.cluster-exiting.timeout = {{Ms(grace * 0.1)}}ms
              coordinated-shutdown.phases.cluster-shutdown.timeout = {{Ms(grace * 0.05)}}ms
              coordinated-shutdown.phases.actor-system-terminate.timeout = {{Ms(grace * 0.05)}}ms
              actor {
                provider = cluster
                serializers.dmp = "DmpActors.Engine.Serialization.DmpSerializer, DmpActors.Engine"
                # Every message that may cross nodes implements IWireMessage (DmpSerializer has its manifest).
                serialization-bindings {
                  "DmpActors.Engine.Serialization.IWireMessage, DmpActors.Engine" = dmp
                }
              }
              remote.dot-netty.tcp {
                # The replicated segment definitions and the trained models travel as one message each (several MB).
                maximum-frame-size = 32MiB
                hostname = "{{node.Hostname}}"
                port = {{node.Port}}
              }
              cluster {
                seed-nodes = [{{seedList}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{(int)Math.Ceiling(node.DowningStableAfter.TotalMilliseconds)}}ms
                }
                sharding {
                  remember-entities = off
                  # Idle users get StopUser (they save if dirty, then stop).
                  passivate-idle-entity-after = {{(int)(passivateIdleAfter ?? TimeSpan.FromMinutes(2)).TotalSeconds}}s
                  least-shard-allocation-strategy.rebalance-absolute-limit = 20
                }
              }
            }
            # The user entities' mailbox: a small ring instead of a ConcurrentQueue segment per user.
            dmp.user-mailbox.mailbox-type = "DmpActors.Engine.Profiles.CompactMailbox, DmpActors.Engine"
            """);
    }

    private static int Ms(TimeSpan t) => (int)Math.Ceiling(t.TotalMilliseconds);
}
