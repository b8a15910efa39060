using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DmpActors.Cli.Admin;
using DmpActors.Cli.Palettes.Profile;

namespace DmpActors.Cli.Palettes.Model;

/// <summary>The <c>model</c> palette: the coordinator's models (list, show with versions, retrain with a progress line,
/// promote, rollback), through /v1/models.</summary>
public static class ModelPalette
{
    private static readonly Argument<string> Name = new("name") { Description = "Model: behaviour, propensity, churn, clv or rfm" };

    private static readonly Argument<string> Version = new("version") { Description = "Version number (2 or v2)" };

    private static readonly Option<bool> Shadow = new("--shadow")
    {
        Description = "Add the new version as a shadow: scored beside the active one, its disagreement counted, used by nothing",
    };

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>The metrics a row shows, in this order, when the version has them.</summary>
    private static readonly string[] KeyMetrics = ["k", "silhouette", "auc", "log_loss", "calibration_error", "mae", "r2", "purchasers"];

    public static Command Create() => new Command("model", "Models: list, show, retrain, promote, rollback")
    {
        new Command("list", "Every model with its active and shadow version and the active version's metrics").Calls(List),
        new Command("show", "One model's versions: status, metrics, training rows, duration, users scored, shadow disagreement") { Name }.Calls(Show),
        new Command("retrain", "Train a model now, a progress line a second until its version is added") { Name, Shadow }.Calls(Retrain),
        new Command("promote", "Make a version the active one") { Name, Version }.Calls(Promote),
        new Command("rollback", "Make the previous active version active again") { Name }.Calls(Rollback),
    }.WithConnection();

    private static string PathOf(ParseResult parseResult) => "v1/models/" + Uri.EscapeDataString(parseResult.GetValue(Name)!);

    private static string Cell(JsonElement json, string name) => ProfilePalette.Cell(json.GetProperty(name));

    private static string Number(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);

    private static string Metrics(JsonElement metrics) => string.Join(" ", KeyMetrics
        .Where(k => metrics.TryGetProperty(k, out _)).Select(k => $"{k}={Number(metrics.GetProperty(k).GetDouble())}"));

    private static string Versioned(JsonElement json, string name) => json.GetProperty(name).ValueKind == JsonValueKind.Null ? "-" : "v" + Cell(json, name);

    private static async Task<int> List(AdminClient node, ParseResult _, TextWriter output, CancellationToken ct)
    {
        var list = await node.GetAsync<JsonElement>("v1/models", ct);
        var rows = list.GetProperty("models").EnumerateArray().Select(m =>
        {
            var active = m.GetProperty("versions").EnumerateArray().FirstOrDefault(v => v.GetProperty("status").GetString() == "active");
            return (IReadOnlyList<string>)
            [
                Cell(m, "name"), Cell(m, "kind"), Versioned(m, "active"), Versioned(m, "shadow"), $"{m.GetProperty("versions").GetArrayLength()}",
                active.ValueKind == JsonValueKind.Undefined ? "-" : Cell(active, "trained_at"),
                active.ValueKind == JsonValueKind.Undefined ? "" : Metrics(active.GetProperty("metrics")),
            ];
        }).ToList();
        await output.WriteLineAsync(Table.Format([["NAME", "KIND", "ACTIVE", "SHADOW", "VERSIONS", "TRAINED", "METRICS"], .. rows]));
        var samples = list.GetProperty("samples");
        var training = list.GetProperty("training");
        await output.WriteLineAsync($"Count: {rows.Count} models (revision {Cell(list, "revision")}) | samples {Cell(samples, "kept")} kept of " +
                                    $"{Cell(samples, "seen")} seen, {Cell(samples, "labelled")} labelled | training {Cell(training, "state")}" +
                                    (training.GetProperty("run").ValueKind == JsonValueKind.Null ? "" : $" (run {Cell(training, "run")})"));
        return 0;
    }

    private static async Task<int> Show(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var model = await node.GetAsync<JsonElement>(PathOf(parseResult), ct);
        await output.WriteLineAsync(Table.Format(
            [["name", Cell(model, "name")], ["kind", Cell(model, "kind")], ["active", Versioned(model, "active")], ["shadow", Versioned(model, "shadow")]]));
        await output.WriteLineAsync();
        await output.WriteLineAsync("Versions:");
        var versions = model.GetProperty("versions").EnumerateArray().Select(v =>
        {
            var rate = v.GetProperty("disagreement_rate");
            return (IReadOnlyList<string>)
            [
                "v" + Cell(v, "version"), Cell(v, "status"), Cell(v, "trained_at"), Cell(v, "training_rows"),
                $"{Number(v.GetProperty("duration_ms").GetDouble())} ms", Cell(v, "scored"),
                rate.ValueKind == JsonValueKind.Null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{rate.GetDouble() * 100:0.0} %"),
                Metrics(v.GetProperty("metrics")),
            ];
        });
        await output.WriteLineAsync(Table.Format([["VERSION", "STATUS", "TRAINED", "ROWS", "DURATION", "SCORED", "DISAGREEMENT", "METRICS"], .. versions]));
        return 0;
    }

    private static async Task<int> Retrain(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var name = parseResult.GetValue(Name)!;
        var started = await node.PostAsync<JsonElement>(PathOf(parseResult) + "/retrain?wait=false" + (parseResult.GetValue(Shadow) ? "&shadow=true" : ""), null, ct);
        var run = started.GetProperty("run").GetInt64();
        await output.WriteLineAsync($"Training {name} (run {run}): {Cell(started, "samples")} samples, {Cell(started, "labelled_rows")} labelled rows");
        while (true)
        {
            var list = await node.GetAsync<JsonElement>("v1/models", ct);
            var training = list.GetProperty("training");
            var last = list.GetProperty("last_training");
            if (last.ValueKind == JsonValueKind.Object && last.GetProperty("run").GetInt64() == run) return await Finished(last, name, output);
            if (training.GetProperty("run").ValueKind != JsonValueKind.Number || training.GetProperty("run").GetInt64() != run)
                throw new AdminException(AdminClient.ExitFailed,
                    $"run {run} is no longer known (the coordinator may have moved to another node); see dmpctl model show {name}");
            var elapsed = DateTimeOffset.UtcNow - training.GetProperty("started_at").GetDateTimeOffset();
            await output.WriteLineAsync(Table.Format([[$"run {run}", "running", string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, elapsed.TotalSeconds):0.0} s"),
                $"{Cell(training, "samples")} samples", $"{Cell(training, "labelled_rows")} labelled rows"]]));
            await Task.Delay(ProgressInterval, ct);
        }
    }

    private static async Task<int> Finished(JsonElement last, string name, TextWriter output)
    {
        if (last.GetProperty("error").ValueKind == JsonValueKind.String)
            throw new AdminException(AdminClient.ExitFailed, $"Training failed: {Cell(last, "error")}");
        var versions = last.GetProperty("versions").EnumerateArray().ToList();
        if (versions.Count == 0)
            throw new AdminException(AdminClient.ExitFailed,
                $"Not enough data to train: {string.Join("; ", last.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()))}");
        foreach (var v in versions)
            await output.WriteLineAsync($"Trained: {Cell(v, "name")} v{Cell(v, "version")} ({Cell(v, "status")}) in {Number(last.GetProperty("duration_ms").GetDouble())} ms");
        return 0;
    }

    private static async Task<int> Promote(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var path = $"{PathOf(parseResult)}/promote/{Uri.EscapeDataString(parseResult.GetValue(Version)!)}";
        var answer = await node.PostAsync<JsonElement>(path, null, ct);
        await output.WriteLineAsync($"Promoted: {Cell(answer, "message")}");
        return 0;
    }

    private static async Task<int> Rollback(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct)
    {
        var answer = await node.PostAsync<JsonElement>(PathOf(parseResult) + "/rollback", null, ct);
        await output.WriteLineAsync($"Rolled back: {Cell(answer, "message")}");
        return 0;
    }
}
