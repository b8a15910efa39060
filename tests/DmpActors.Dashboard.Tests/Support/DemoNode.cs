using DmpActors.Host.Tests;

namespace DmpActors.Dashboard.Tests.Support;

/// <summary>A host process with demo traffic, and a browser to open its dashboard; shared by a test class.</summary>
public class DemoNode : IAsyncLifetime
{
    /// <summary>Low, so a test's own burst clearly raises events per second above it.</summary>
    public const int DemoRate = 20;

    private readonly TempDir _data = new();

    public HostProcess Host { get; private set; } = null!;
    public DashboardBrowser Browser { get; private set; } = null!;

    protected virtual string[] ExtraSettings => [];

    /// <summary>The dashboard in a fresh browser page, at <paramref name="hash"/> (a view, e.g. <c>#profile</c>).</summary>
    public Task<Microsoft.Playwright.IPage> OpenAsync(string hash = "", int width = 1280, int height = 800) =>
        Browser.OpenAsync(new Uri(Host.Http.BaseAddress!, "/" + hash), width, height);

    public async Task InitializeAsync()
    {
        Host = await HostProcess.StartAsync([
            "--demo", $"--Dmp:Demo:Rate={DemoRate}", "--Dmp:Demo:InvalidShare=0.05",
            "--Dmp:Kafka:BootstrapServers=127.0.0.1:0", "--Dmp:Node:Port=0", $"--Dmp:Storage:DataDirectory={_data.Path}",
            .. ExtraSettings]);
        Browser = await DashboardBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Host is not null) await Host.DisposeAsync();
        _data.Dispose();
    }
}
