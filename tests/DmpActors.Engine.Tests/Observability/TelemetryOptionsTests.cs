using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Tests.Observability;

public sealed class TelemetryOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_export_nothing_over_OTLP()
    {
        var options = new DmpOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.Telemetry.Exports("metrics"));
        Assert.False(options.Telemetry.Exports("traces"));
    }

    [Fact]
    public void An_endpoint_exports_the_listed_signals_only()
    {
        var telemetry = new TelemetryOptions { OtlpEndpoint = "http://collector:4318", OtlpSignals = " Traces , logs" };

        Assert.Empty(OptionsProblems.Of("Dmp:Telemetry", telemetry.Validate));
        Assert.Equal(new[] { "traces", "logs" }, telemetry.Signals);
        Assert.True(telemetry.Exports("traces"));
        Assert.False(telemetry.Exports("metrics"));
    }

    [Theory]
    [InlineData("OtlpEndpoint", "collector:4318")]
    [InlineData("OtlpEndpoint", "ftp://collector")]
    [InlineData("OtlpProtocol", "http/json")]
    [InlineData("OtlpSignals", "metrics,profiles")]
    [InlineData("OtlpSignals", " , ")]
    [InlineData("TraceSampleRatio", "1.5")]
    [InlineData("ExportInterval", "00:00:00")]
    [InlineData("ShardStatsInterval", "-00:00:01")]
    public void A_bad_value_is_reported_under_its_full_key(string key, string value)
    {
        var options = new DmpOptions();
        options.Telemetry.OtlpEndpoint = "http://collector:4318";
        var property = typeof(TelemetryOptions).GetProperty(key)!;
        property.SetValue(options.Telemetry, property.PropertyType == typeof(string) ? value
            : property.PropertyType == typeof(double) ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var error = Assert.Single(options.Validate());

        Assert.StartsWith($"Dmp:Telemetry:{key}: ", error);
    }
}
