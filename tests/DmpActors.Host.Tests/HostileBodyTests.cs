using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DmpActors.Host.Tests;

/// <summary>POST /v1/events answers every body with 202 and a reason per rejected event, or a 4xx problem with a
/// reason; never a 5xx.</summary>
public sealed class HostileBodyTests : IClassFixture<HttpApiTests.Host>
{
    private readonly HttpApiTests.Host _host;

    public HostileBodyTests(HttpApiTests.Host host) => _host = host;

    private const string Ts = "2026-11-01T09:00:00Z";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string PageView(string id, string userIdJson = "\"hostile-u\"", string extra = "") =>
        $$"""{"event_id":"{{id}}","type":"page_view","user_id":{{userIdJson}},"timestamp":"{{Ts}}"{{extra}}}""";

    private static string Purchase(string id, string properties) =>
        $$"""{"event_id":"{{id}}","type":"purchase","user_id":"hostile-u","timestamp":"{{Ts}}","properties":{{properties}}}""";

    /// <summary><paramref name="json"/> with the '#' replaced by raw bytes.</summary>
    private static byte[] WithBytes(string json, params byte[] raw)
    {
        var at = json.IndexOf('#');
        return [.. Utf8(json[..at]), .. raw, .. Utf8(json[(at + 1)..])];
    }

    /// <summary>What the answer must be: a problem with this status, the first event rejected for this reason, or
    /// the one event accepted.</summary>
    private sealed record Expect(int Problem = 0, string? Reason = null, bool Accepted = false);

    private static readonly Dictionary<string, (byte[] Body, string ContentType, Expect Expect)> Bodies = new()
    {
        ["escaped lone surrogate in user_id"] = (Utf8(PageView("hb-1", "\"bad\\ud800id\"")), "application/json", new(Reason: "invalid_id")),
        ["escaped lone low surrogate in anonymous_id"] =
            (Utf8($$"""{"event_id":"hb-2","type":"page_view","anonymous_id":"\udc00","timestamp":"{{Ts}}"}"""), "application/json", new(Reason: "invalid_id")),
        ["WTF-8 surrogate bytes in user_id"] = (WithBytes(PageView("hb-3", "\"bad#id\""), 0xED, 0xA0, 0x80), "application/json", new(Reason: "invalid_id")),
        ["WTF-8 surrogate bytes in a batch"] =
            (WithBytes("[" + PageView("hb-4", "\"bad#id\"") + "," + PageView("hb-5") + "]", 0xED, 0xA0, 0x80), "application/json", new(Reason: "invalid_id")),
        ["invalid UTF-8 in event_id"] = (WithBytes(PageView("hb-#"), 0xFF), "application/json", new(Reason: "invalid_id")),
        ["invalid UTF-8 in a property"] =
            (WithBytes(PageView("hb-6", extra: ""","properties":{"url":"/#"}"""), 0xC3), "application/json", new(Reason: "malformed_json")),
        ["escaped NUL in user_id"] = (Utf8(PageView("hb-7", "\"a\\u0000b\"")), "application/json", new(Reason: "invalid_id")),
        ["raw NUL in a string"] = (WithBytes(PageView("hb-8", "\"a#b\""), 0), "application/json", new(Problem: 400)),
        ["10k levels of nesting"] = (Utf8(new string('[', 10_000) + new string(']', 10_000)), "application/json", new(Problem: 400)),
        ["10k levels of nesting inside an event"] =
            (Utf8(PageView("hb-9", extra: ",\"context\":" + new string('[', 10_000) + new string(']', 10_000))), "application/json", new(Problem: 400)),
        ["a 5 MB string"] = (Utf8(PageView("hb-10", "\"" + new string('x', 5_000_000) + "\"")), "application/json", new(Problem: 413)),
        ["revenue 1e400"] = (Utf8(Purchase("hb-11", """{"order_id":"o","revenue":1e400}""")), "application/json", new(Reason: "out_of_range")),
        ["revenue 1e17"] = (Utf8(Purchase("hb-12", """{"order_id":"o","revenue":1e17}""")), "application/json", new(Reason: "out_of_range")),
        ["revenue -0"] = (Utf8(Purchase("hb-13", """{"order_id":"o","revenue":-0}""")), "application/json", new(Accepted: true)),
        ["a huge integer quantity"] =
            (Utf8(Purchase("hb-14", """{"order_id":"o","items":[{"item_id":"a","quantity":99999999999999999999999}]}""")), "application/json", new(Reason: "out_of_range")),
        ["a huge integer as event_id"] =
            (Utf8($$"""{"event_id":1e400,"type":"page_view","user_id":"hostile-u","timestamp":"{{Ts}}"}"""), "application/json", new(Reason: "wrong_field_type")),
        ["user_id of the wrong type"] = (Utf8(PageView("hb-15", "{\"id\":1}")), "application/json", new(Reason: "wrong_field_type")),
        ["properties of the wrong type"] = (Utf8(PageView("hb-16", extra: ",\"properties\":\"x\"")), "application/json", new(Reason: "wrong_field_type")),
        ["unknown fields"] = (Utf8(PageView("hb-17", extra: ",\"zzz\":{\"a\":[1,2,{}]},\"\\u00e9\":null")), "application/json", new(Accepted: true)),
        ["an emoji cut by the detail clip"] =
            (Utf8($$"""{"event_id":"hb-18","type":"{{new string('a', 62)}}😀bbb","user_id":"u","timestamp":"{{Ts}}"}"""), "application/json", new(Reason: "unknown_type")),
        ["empty body"] = ([], "application/json", new(Problem: 400)),
        ["whitespace body"] = (Utf8("  \n "), "application/json", new(Problem: 400)),
        ["empty array"] = (Utf8("[]"), "application/json", new(Problem: 400)),
        ["array of non-objects"] = (Utf8("""[1,"x",null,[],true]"""), "application/json", new(Reason: "malformed_json")),
        ["a bare string"] = (Utf8("\"hello\""), "application/json", new(Reason: "malformed_json")),
        ["two top-level values"] = (Utf8(PageView("hb-19") + PageView("hb-20")), "application/json", new(Problem: 400)),
        ["trailing garbage"] = (Utf8(PageView("hb-21") + " x"), "application/json", new(Problem: 400)),
        ["text/plain with an event"] = (Utf8(PageView("hb-22")), "text/plain", new(Problem: 415)),
        ["no content type"] = (Utf8(PageView("hb-23")), "", new(Accepted: true)),
        ["JSON with a charset"] = (Utf8(PageView("hb-24")), "application/json; charset=utf-8", new(Accepted: true)),
        ["XML"] = (Utf8("<event/>"), "application/xml", new(Problem: 415)),
        ["a form"] = (Utf8("event_id=1&type=page_view"), "application/x-www-form-urlencoded", new(Problem: 415)),
    };

    public static TheoryData<string> Names => new(Bodies.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_hostile_body_gets_a_reason_and_never_a_server_error(string name)
    {
        var (body, contentType, expect) = Bodies[name];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = contentType.Length == 0 ? null : MediaTypeHeaderValue.Parse(contentType);

        var response = await _host.Http.PostAsync("/v1/events", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        if (expect.Problem != 0)
        {
            // A wrong content type matches no endpoint of ours: the key check answers first (403, no role), else the framework's 415.
            if (expect.Problem == 415) Assert.Contains((int)response.StatusCode, new[] { 403, 415 });
            else Assert.Equal(expect.Problem, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            // The reason: our own problems say it in "detail"; the framework's 415 says it in "title".
            var reason = json.TryGetProperty("detail", out var detail) ? detail.GetString() : json.GetProperty("title").GetString();
            Assert.False(string.IsNullOrWhiteSpace(reason), text);
            return;
        }

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var rejected = json.GetProperty("rejected").EnumerateArray().ToList();
        if (expect.Accepted)
        {
            Assert.Equal(1, json.GetProperty("accepted").GetInt32());
            Assert.Empty(rejected);
            return;
        }

        Assert.NotEmpty(rejected);
        Assert.Equal(0, rejected[0].GetProperty("index").GetInt32());
        Assert.Equal(expect.Reason, rejected[0].GetProperty("reason").GetString());
        Assert.All(rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("detail").GetString())));
    }
}
