using DmpActors.Engine.Hosting;
using DmpActors.Host.Admin;
using DmpActors.Host.Api;
using DmpActors.Host.Dashboard;
using DmpActors.Host.Demo;
using DmpActors.Host.Runtime;
using DmpActors.Host.Security;
using OpenTelemetry.Metrics; // MapPrometheusScrapingEndpoint

args = HostConfiguration.ExpandSwitches(args);
var builder = WebApplication.CreateBuilder(args);
try { builder.AddDmpConfiguration(args); }
catch (OptionsValidationException invalid) { return HostConfiguration.Refuse(invalid); }

// Bound lazily: WebApplicationFactory adds its settings when the app is built.
builder.Services.AddSingleton(sp => HostConfiguration.ReadDmpOptions(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton(sp => HostConfiguration.ReadDemoOptions(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton(TimeProvider.System);
// Orderly shutdown (stop ingest, final checkpoint, hand-off saves, leave) is bounded by Dmp:Node:StopGrace; the
// host must not dispose services underneath it before then.
// (Read from configuration, not DmpOptions: an invalid configuration is reported by the engine's start, not here.)
builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, config) => host.ShutdownTimeout =
    (TimeSpan.TryParse(config["Dmp:Node:StopGrace"], System.Globalization.CultureInfo.InvariantCulture, out var grace) ? grace : new NodeOptions().StopGrace)
    + TimeSpan.FromSeconds(5));
builder.Services.AddDmpAdmin();
builder.Services.AddDmpSecurity();
builder.Services.AddSingleton<DmpRuntime>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DmpRuntime>());
builder.Services.AddHostedService<DemoTraffic>();
builder.Services.AddDmpDashboard();
builder.Services.AddOpenApi();
builder.Services.AddProblemDetails();
builder.AddDmpTelemetry();
builder.Services.ConfigureHttpJsonOptions(json =>
    json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDmpSecurity();
app.MapOpenApi().RequireRole(ApiRole.Anyone);
app.MapPrometheusScrapingEndpoint().RequireRole(ApiRole.Anyone);
app.MapHealth();
app.MapEvents();
app.MapProfiles();
app.MapAdmin();
app.MapIdentity();
app.MapWebhooks();
app.MapSegmentMembers();
app.MapSegmentBackfill();
app.MapDashboard();
app.MapSegments();
app.MapCampaigns();
app.MapItems();
app.MapRecommendations();
app.MapCtr();
app.MapModels();
var started = false; // read in the catch below: the lifetime service is disposed by then
app.Lifetime.ApplicationStarted.Register(() =>
{
    started = true;
    StartupBanner.Print(app);
});

try
{
    // A bad setting stops the node here, before anything starts: every bad key named, in one list.
    app.Services.GetRequiredService<DmpOptions>();
    app.Services.GetRequiredService<ApiKeyRing>(); // reads Dmp:Security:KeysFile (and Dmp:Admin:ApiKey)
    app.Run();
    return 0;
}
catch (OptionsValidationException invalid)
{
    return HostConfiguration.Refuse(invalid);
}
catch (Exception failed) when (!started)
{
    // Start-up failed (a port in use, a database that refuses us): the hosting log above has the details; say it
    // in one line and exit 1 instead of dying of an unhandled exception (SIGABRT, exit 134).
    return HostConfiguration.FailedToStart(failed);
}

/// <summary>Lets tests start the host with WebApplicationFactory.</summary>
public partial class Program;
