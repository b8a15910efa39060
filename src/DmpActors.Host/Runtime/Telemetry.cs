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

    public static void AddDmpTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection($"{DmpOptions.Section}:Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        // Invalid settings export nothing: start-up validation then stops the node naming the key.
        if (options.Validate().Any()) options = new TelemetryOptions();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. DmpMetrics.MeterNames, AspNetCoreMeter]).AddPrometheusExporter();
                if (options.Exports("metrics"))
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Point(exporter, options, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                    });
            });
        if (options.Exports("traces"))
            otel.WithTracing(tracing => tracing
                .AddSource(DmpMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddOtlpExporter(exporter =>
                {
                    Point(exporter, options, "v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                }));
        if (options.Exports("logs"))
            otel.WithLogging(logging => logging.AddOtlpExporter(exporter => Point(exporter, options, "v1/logs")));
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
