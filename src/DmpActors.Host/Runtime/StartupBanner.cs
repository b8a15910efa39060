using DmpActors.Host.Demo;
using DmpActors.Host.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DmpActors.Host.Runtime;

/// <summary>Tells a newcomer where everything is, once the node is up.</summary>
public static class StartupBanner
{
    public static void Print(WebApplication app)
    {
        var runtime = app.Services.GetRequiredService<DmpRuntime>();
        var demo = app.Services.GetRequiredService<DemoOptions>();
        var keys = app.Services.GetRequiredService<ApiKeyRing>();
        var kafka = runtime.Options.Kafka;
        // The addresses the server really bound: with --urls http://127.0.0.1:0 they carry the port it picked.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var urls = string.Join(", ", bound is { Count: > 0 } ? bound : app.Urls);
        var lines = new[]
        {
            "",
            "DmpActors is running",
            $"  HTTP API      {urls}",
            "                POST /v1/events, GET /v1/profiles/{id}, /healthz, /readyz, /v1/info, /openapi/v1.json, /metrics",
            $"  Dashboard     {(bound is { Count: > 0 } ? bound.First() : app.Urls.FirstOrDefault())?.TrimEnd('/')}/",
            "  API keys      " + (keys.RequiresKeys
                ? $"required on /v1 ({keys.Count} configured{(keys.KeysFile is null ? "" : ", file " + keys.KeysFile)}; docs/security.md)"
                : "not needed on /v1 (open mode); /admin takes the admin key"),
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
