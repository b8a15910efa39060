using Microsoft.Playwright;

namespace DmpActors.Dashboard.Tests.Support;

/// <summary>
/// Headless Chromium from the system (Debian's chromium package, which ./test.sh installs), driven by Playwright:
/// Playwright's own browser downloads are not used. Screenshots go to TestResults/dashboard/ under the repository root.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("DMP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static readonly string Screenshots = Path.Combine(RepositoryRoot(), "TestResults", "dashboard");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<DashboardBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"no Chromium at {ChromiumPath}: ./test.sh installs it (apt-get install chromium), or set DMP_CHROMIUM");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        return new DashboardBrowser(playwright, browser);
    }

    /// <summary>A fresh page (its own storage, so no key carries over) at <paramref name="width"/>×<paramref name="height"/>.</summary>
    public async Task<IPage> OpenAsync(Uri address, int width = 1280, int height = 800)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(address.ToString());
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DmpActors.sln"))) return dir.FullName;
        return Path.GetTempPath();
    }
}
