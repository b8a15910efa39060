using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Tests.Support;
using DmpActors.Host.Tests;

namespace DmpActors.Cli.Tests;

/// <summary>
/// profile export / erase call the identity endpoints (GET /v1/profiles/{id}/export, DELETE /v1/profiles/{id})
/// built on the identity branch: these pass once it is merged, and are excluded until then.
/// </summary>
[Trait("Needs", "identity")]
public sealed class ProfilePrivacyCommandTests
{
    [Fact]
    public async Task Profile_export_prints_everything_held_about_the_user_as_json_and_erase_removes_it()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);
        using var http = new HttpClient { BaseAddress = new Uri(cluster[0].Url) };
        (await http.PostAsync("/v1/events", Events.Json(Events.Purchase("px-1", "privacy-user", 12.5m)))).EnsureSuccessStatusCode();
        await Wait.ForProfile(http, "privacy-user", p => p.GetProperty("orders").GetInt32() == 1, TimeSpan.FromSeconds(30));

        var export = await CliRunner.RunAsync(cluster[0].Dmpctl("profile", "export", "privacy-user"));
        var erase = await CliRunner.RunAsync(cluster[0].Dmpctl("profile", "erase", "privacy-user"));
        var after = await CliRunner.RunAsync(cluster[0].Dmpctl("profile", "show", "privacy-user"));

        Assert.True(export.ExitCode == 0, export.Error);
        var exported = JsonDocument.Parse(export.Output).RootElement;
        Assert.Equal("privacy-user", exported.GetProperty("profile").GetProperty("id").GetString());
        Assert.Equal(12.5m, exported.GetProperty("profile").GetProperty("total_revenue").GetDecimal());
        Assert.True(erase.ExitCode == 0, erase.Error);
        Assert.StartsWith("Erased: privacy-user", erase.Output);
        Assert.Equal(AdminClient.ExitFailed, after.ExitCode);
        Assert.Contains("Unknown user", after.Error);
    }

    [Fact]
    public async Task Profile_export_and_erase_of_an_unknown_user_fail_with_the_nodes_reason()
    {
        await using var cluster = await LiveCluster.StartAsync(inProcessNodes: 1);

        var export = await CliRunner.RunAsync(cluster[0].Dmpctl("profile", "export", "never-seen"));
        var erase = await CliRunner.RunAsync(cluster[0].Dmpctl("profile", "erase", "never-seen"));

        Assert.Equal(AdminClient.ExitFailed, export.ExitCode);
        Assert.Contains("Unknown user", export.Error);
        Assert.Equal(AdminClient.ExitFailed, erase.ExitCode);
        Assert.Contains("Unknown user", erase.Error);
    }
}
