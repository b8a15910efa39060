using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DmpActors.Host.Security;

namespace DmpActors.Host.Tests;

/// <summary>/v1/models on a real node: entities sample users as events arrive, the coordinator trains on demand,
/// versions are promoted and rolled back, and shadow disagreement is counted from the nodes' scoring.</summary>
public sealed class ModelsApiTests : IDisposable
{
    private const string Key = "models-api-test-admin-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly DmpHostFactory _factory = new(new Dictionary<string, string?>
    {
        ["Dmp:Admin:ApiKey"] = Key,
        ["Dmp:Security:Mode"] = "keys",
        ["Dmp:Models:RetrainEvery"] = "00:00:00",
    });

    public void Dispose() => _factory.Dispose();

    private HttpClient Admin()
    {
        var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Add(ApiKeyAuthorization.KeyHeader, Key);
        return http;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Models_are_listed_retrained_on_demand_shadowed_promoted_and_rolled_back_over_http()
    {
        var http = Admin();

        // Given a node that has seen nothing: every model listed, none trained, nothing running
        var empty = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal(["behaviour", "propensity", "churn", "clv", "rfm", "ctr"], empty.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.All(empty.GetProperty("models").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("active").ValueKind));
        Assert.Equal("idle", empty.GetProperty("training").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("last_training").ValueKind);

        // when 60 users shop, their entities offer samples to the coordinator
        (await http.PostAsync("/v1/events", Events.Batch(ShopperEvents.Day(60, 0)))).EnsureSuccessStatusCode();
        await Wait.Until(async () => (await http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("samples").GetProperty("kept").GetInt32() >= 60,
            Patience, "60 samples in the coordinator's reservoir");

        // then a supervised model without labelled rows is refused with the reason, and clusters train
        var refused = await Json(await http.PostAsync("/v1/models/propensity/retrain", null), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("propensity: 0 labelled rows", refused.GetProperty("detail").GetString());
        var first = await Json(await http.PostAsync("/v1/models/behaviour/retrain", null), HttpStatusCode.OK);
        Assert.Equal("behaviour", first.GetProperty("versions")[0].GetProperty("name").GetString());
        Assert.Equal(1, first.GetProperty("versions")[0].GetProperty("version").GetInt32());
        Assert.Equal("active", first.GetProperty("versions")[0].GetProperty("status").GetString());
        Assert.Equal(60, first.GetProperty("samples").GetInt32());

        var shadow = await Json(await http.PostAsync("/v1/models/behaviour/retrain?shadow=true", null), HttpStatusCode.OK);
        Assert.Equal("shadow", shadow.GetProperty("versions")[0].GetProperty("status").GetString());
        var behaviour = await http.GetFromJsonAsync<JsonElement>("/v1/models/behaviour");
        Assert.Equal(1, behaviour.GetProperty("active").GetInt32());
        Assert.Equal(2, behaviour.GetProperty("shadow").GetInt32());
        var v1 = behaviour.GetProperty("versions")[0];
        Assert.True(v1.GetProperty("metrics").GetProperty("silhouette").GetDouble() > 0);
        Assert.True(v1.GetProperty("metrics").GetProperty("k").GetDouble() >= 2);
        Assert.Equal(60, v1.GetProperty("training_rows").GetInt32());
        Assert.True(v1.GetProperty("duration_ms").GetDouble() > 0);

        // and when the users come back the next day, the shadow is scored beside the active version, cluster-wide counts
        (await http.PostAsync("/v1/events", Events.Batch(ShopperEvents.Day(60, 1)))).EnsureSuccessStatusCode();
        JsonElement scored = default;
        await Wait.Until(async () => (scored = (await http.GetFromJsonAsync<JsonElement>("/v1/models/behaviour")).GetProperty("versions")[1])
            .GetProperty("scored").GetInt64() == 60, Patience, "the shadow to score the 60 returning users");
        Assert.InRange(scored.GetProperty("disagreement_rate").GetDouble(), 0, 1);
        Assert.Equal(60, (await http.GetFromJsonAsync<JsonElement>("/v1/models/behaviour")).GetProperty("versions")[0].GetProperty("scored").GetInt64());

        // promote, promote again, an unknown version, rollback, and a rollback with nothing older
        var promoted = await Json(await http.PostAsync("/v1/models/behaviour/promote/2", null), HttpStatusCode.OK);
        Assert.Equal(2, promoted.GetProperty("model").GetProperty("active").GetInt32());
        Assert.Equal(JsonValueKind.Null, promoted.GetProperty("model").GetProperty("shadow").ValueKind);
        await Json(await http.PostAsync("/v1/models/behaviour/promote/2", null), HttpStatusCode.Conflict);
        await Json(await http.PostAsync("/v1/models/behaviour/promote/9", null), HttpStatusCode.NotFound);
        var rolledBack = await Json(await http.PostAsync("/v1/models/behaviour/rollback", null), HttpStatusCode.OK);
        Assert.Equal(1, rolledBack.GetProperty("model").GetProperty("active").GetInt32());
        var nothingOlder = await Json(await http.PostAsync("/v1/models/behaviour/rollback", null), HttpStatusCode.Conflict);
        Assert.Contains("no earlier version", nothingOlder.GetProperty("detail").GetString());
        await Json(await http.GetAsync("/v1/models/nope"), HttpStatusCode.NotFound);
        var list = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal(1, list.GetProperty("last_training").GetProperty("versions").GetArrayLength());
        Assert.Equal(3, list.GetProperty("last_training").GetProperty("run").GetInt64());
    }

    [Fact]
    public async Task A_retrain_without_wait_answers_202_at_once_and_the_commands_need_the_admin_key()
    {
        var http = Admin();
        (await http.PostAsync("/v1/events", Events.Batch(ShopperEvents.Day(30, 0)))).EnsureSuccessStatusCode();
        await Wait.Until(async () => (await http.GetFromJsonAsync<JsonElement>("/v1/models")).GetProperty("samples").GetProperty("kept").GetInt32() >= 30,
            Patience, "30 samples");

        var started = await Json(await http.PostAsync("/v1/models/rfm/retrain?wait=false", null), HttpStatusCode.Accepted);
        Assert.Equal(1, started.GetProperty("run").GetInt64());
        Assert.Equal(30, started.GetProperty("samples").GetInt32());
        await Wait.Until(async () => (await http.GetFromJsonAsync<JsonElement>("/v1/models/rfm")).GetProperty("active").ValueKind == JsonValueKind.Number,
            Patience, "rfm v1 to be active");

        var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/models/rfm/retrain", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/models/rfm/rollback", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/models")).StatusCode);
    }
}
