using DmpActors.Host.Demo;

namespace DmpActors.Host.Runtime;

/// <summary>Tells a newcomer where everything is, once the node is up.</summary>
public static class StartupBanner
{
    public static void Print(WebApplication app)
    {
        var runtime = app.Services.GetRequiredService<DmpRuntime>();
        var demo = app.Services.GetRequiredService<DemoOptions>();
        var kafka = runtime.Options.Kafka;
        var urls = string.Join(", ", app.Urls);
        var lines = new[]
        {
            "",
            "DmpActors is running",
            $"  HTTP API      {urls}",
            "                POST /v1/events, GET /v1/profiles/{id}, /healthz, /readyz, /v1/info, /openapi/v1.json, /metrics",
            $"  Kafka         {runtime.BootstrapServers}" + (kafka.Embedded ? $" (embedded broker; try: kcat -b {runtime.BootstrapServers} -L)" : ""),
            $"  Topics        {kafka.EventsTopic} ({kafka.Partitions} partitions), dead letters {kafka.DeadLetterTopic}",
            $"  Store         {runtime.Engine.Store.Description}",
            $"  Node          {runtime.Engine.NodeAddress}",
            "  Demo traffic  " + (demo.Enabled ? $"on: {demo.Rate} events/s over {demo.Users} users" : "off (start with --demo)"),
            "",
        };
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
