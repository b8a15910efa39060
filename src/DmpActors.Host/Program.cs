using DmpActors.Engine.Hosting;
using DmpActors.Host.Api;
using DmpActors.Host.Demo;
using DmpActors.Host.Runtime;
using OpenTelemetry.Metrics; // MapPrometheusScrapingEndpoint

var builder = WebApplication.CreateBuilder(args);
builder.AddDmpConfiguration(args);

builder.Services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(DmpOptions.Section).Get<DmpOptions>() ?? new DmpOptions());
builder.Services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Dmp:Demo").Get<DemoOptions>() ?? new DemoOptions());
builder.Services.AddSingleton(TimeProvider.System);
// Orderly shutdown (stop ingest, final checkpoint, hand-off saves) may take up to the sharding phase's 60 s;
// the host must not dispose services underneath it after the default 30 s.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(90));
builder.Services.AddSingleton<DmpRuntime>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DmpRuntime>());
builder.Services.AddHostedService<DemoTraffic>();
builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();
builder.AddDmpTelemetry();
builder.Services.ConfigureHttpJsonOptions(json =>
    json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapPrometheusScrapingEndpoint();
app.MapHealth();
app.MapEvents();
app.MapProfiles();
app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));

try
{
    app.Run();
    return 0;
}
catch (OptionsValidationException invalid)
{
    Console.Error.WriteLine("DmpActors cannot start: " + invalid.Message);
    return 2;
}

/// <summary>Lets tests start the host with WebApplicationFactory.</summary>
public partial class Program;
