using DmpActors.Engine.Hosting;
using DmpActors.Engine.Observability;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DmpActors.Host.Runtime;

/// <summary>
/// Metrics always go to the Prometheus endpoint (/metrics); metrics, traces and logs also go to an
/// OTLP collector when Dmp:Telemetry:OtlpEndpoint is set. Without OTLP traces nothing listens to the
/// "DmpActors" ActivitySource, so the event path creates no spans at all.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "dmpactors";

    /// <summary>ASP.NET Core's own meter: http.server.request.duration and friends.</summary>
    public const string AspNetCoreMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>ASP.NET Core's own request spans (they continue an incoming traceparent header).</summary>
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    /// <summary>The runtime's own meter (.NET 9+): GC collections and pause time, heap size, CPU time, thread-pool queue, lock contention.</summary>
    public const string RuntimeMeter = "System.Runtime";

    private static readonly string[] Meters = [.. DmpMetrics.MeterNames, AspNetCoreMeter, RuntimeMeter];

    public static void AddDmpTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => Describe(r))
            .WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        // OTLP is set up from the bound options when the host starts, not from the configuration as it
        // stands while Program runs, so every configuration source (tests' included) counts.
        builder.Services.AddHostedService<OtlpExport>();
        builder.Logging.AddOpenTelemetry(logging => logging.SetResourceBuilder(Describe(ResourceBuilder.CreateEmpty())));
        // Reads only its own section: the logger is built while the host is, before start-up validation of the
        // whole Dmp section can report a bad key (resolving DmpOptions here would throw from inside Build).
        builder.Services.AddOptions<OpenTelemetryLoggerOptions>().Configure<IConfiguration>((logging, configuration) =>
        {
            var telemetry = configuration.GetSection($"{DmpOptions.Section}:Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
            if (IsValid(telemetry) && telemetry.Exports("logs"))
                logging.AddOtlpExporter(exporter => Point(exporter, telemetry, "v1/logs"));
        });
    }

    private static ResourceBuilder Describe(ResourceBuilder resource) =>
        resource.AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString());

    // Invalid settings export nothing: start-up validation then stops the node naming the key.
    private static bool IsValid(TelemetryOptions options) => options.OtlpEnabled && OptionsProblems.Of("Telemetry", options.Validate).Count == 0;

    /// <summary>The OTLP metric and trace pipelines, alive from host start to host stop.</summary>
    private sealed class OtlpExport(DmpOptions dmp) : IHostedService
    {
        private MeterProvider? _metrics;
        private TracerProvider? _traces;

        public Task StartAsync(CancellationToken ct)
        {
            var options = dmp.Telemetry;
            if (!IsValid(options)) return Task.CompletedTask;
            if (options.Exports("metrics"))
                _metrics = Sdk.CreateMeterProviderBuilder()
                    .ConfigureResource(r => Describe(r))
                    .AddMeter(Meters)
                    .AddOtlpExporter((exporter, reader) =>
                    {
                        Point(exporter, options, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                    })
                    .Build();
            if (options.Exports("traces"))
                _traces = Sdk.CreateTracerProviderBuilder()
                    .ConfigureResource(r => Describe(r))
                    .AddSource(DmpMetrics.MeterName, AspNetCoreSource)
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                    .AddOtlpExporter(exporter =>
                    {
                        Point(exporter, options, "v1/traces");
                        exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                    })
                    .Build();
            return Task.CompletedTask;
        }

        /// <summary>Disposing flushes what is still batched.</summary>
        public Task StopAsync(CancellationToken ct)
        {
            _traces?.Dispose();
            _metrics?.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// An endpoint set in code is used as it is, so for http/protobuf the signal's path is appended
    /// here (as the OTEL_EXPORTER_OTLP_ENDPOINT convention does); gRPC takes the base address.
    /// </summary>
    private static void Point(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        var endpoint = new Uri(options.OtlpEndpoint.TrimEnd('/') + "/");
        exporter.Protocol = options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, signalPath);
    }
}
