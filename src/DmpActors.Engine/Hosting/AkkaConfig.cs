using Akka.Configuration;

namespace DmpActors.Engine.Hosting;

/// <summary>The one place that turns typed options into Akka configuration.</summary>
public static class AkkaConfig
{
    public static Config For(NodeOptions node)
    {
        var self = $"akka.tcp://{node.ClusterName}@{node.Hostname}:{node.Port}";
        var seeds = node.SeedNodes.Length > 0 ? node.SeedNodes : node.Port == 0 ? [] : [self];
        var seedList = string.Join(", ", seeds.Select(s => $"\"{s}\""));
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              loggers = ["DmpActors.Engine.Hosting.AkkaLoggerBridge, DmpActors.Engine"]
              logger-startup-timeout = 10s
              actor {
                provider = cluster
                serializers.dmp = "DmpActors.Engine.Serialization.DmpSerializer, DmpActors.Engine"
                serialization-bindings {
                  "DmpActors.Engine.Profiles.IUserCommand, DmpActors.Engine" = dmp
                  "DmpActors.Engine.Profiles.EventApplied, DmpActors.Engine" = dmp
                  "DmpActors.Engine.Profiles.ProfileFlushed, DmpActors.Engine" = dmp
                  "DmpActors.Engine.Profiles.ProfileReply, DmpActors.Engine" = dmp
                  "DmpActors.Engine.Profiles.StopUser, DmpActors.Engine" = dmp
                }
              }
              remote.dot-netty.tcp {
                hostname = "{{node.Hostname}}"
                port = {{node.Port}}
              }
              cluster {
                seed-nodes = [{{seedList}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = 20s
                }
                sharding {
                  remember-entities = off
                  passivation.strategy = none
                  least-shard-allocation-strategy.rebalance-absolute-limit = 20
                }
              }
            }
            """);
    }
}
