using DmpActors.Dashboard.Tests.Support;
using DmpActors.Host.Security;
using static Microsoft.Playwright.Assertions;

namespace DmpActors.Dashboard.Tests;

/// <summary>A node that requires API keys, with one read-only key.</summary>
public sealed class KeyedDemoNode : DemoNode
{
    public const string ReadKey = "dashboard-tests-read-key";

    protected override string[] ExtraSettings =>
    [
        "--Dmp:Security:Keys:0:Name=dashboard", $"--Dmp:Security:Keys:0:Hash={ApiKeyRing.HashOf(ReadKey)}", "--Dmp:Security:Keys:0:Roles:0=read",
    ];
}

public sealed class KeyedDashboardTests(KeyedDemoNode node) : IClassFixture<KeyedDemoNode>
{
    [Fact]
    public async Task With_api_keys_the_page_asks_for_a_read_key_shows_a_wrong_one_as_a_message_and_streams_with_the_right_one()
    {
        // Given a node that requires keys, the page opened without one asks for it
        var page = await node.Browser.OpenAsync(new Uri(node.Host.Http.BaseAddress!, "/"));
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#api-key")).ToBeFocusedAsync();
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("waiting for an API key");

        // When a wrong key is given, the node's refusal shows as a message and the form stays
        await page.Keyboard.TypeAsync("not-a-key");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#stream-error")).ToContainTextAsync("Unknown API key");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await DashboardBrowser.ScreenshotAsync(page, "key-refused");

        // When the read key is given, the stream flows (the key goes as a Bearer header on the stream's fetch)
        await page.Locator("#api-key").FillAsync(KeyedDemoNode.ReadKey);
        await page.Locator("#api-key").PressAsync("Enter");
        await Expect(page.Locator("#stream-status")).ToHaveTextAsync("live", new() { Timeout = 30_000 });
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#stream-error")).ToBeHiddenAsync();
        await DashboardTests.ExpectChartWithDataAsync(page, "chart-rates");
    }
}
