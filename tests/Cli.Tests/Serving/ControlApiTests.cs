using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Serving;

/// <summary>The control API of <c>serve</c> over real HTTP, with the simulator as the target.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private const string Key = "control-test-key-0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-control-").FullName;
    private readonly string _keyVariable = "GUIDELLM_TEST_API_KEY_" + Guid.NewGuid().ToString("N");
    private readonly StringWriter _out = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(3));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private SimulatorServer _server = null!;
    private Task<int>? _serving;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_keyVariable, Key);
        _server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 2, ItlMs = 1 });
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_serving is not null)
        {
            Assert.Equal(0, await _serving);
        }

        await _server.DisposeAsync();
        Environment.SetEnvironmentVariable(_keyVariable, null);
        _http.Dispose();
        _stop.Dispose();
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Uri> ServeAsync(params string[] extra)
    {
        var path = Path.Combine(_dir, "serve.yaml");
        await File.WriteAllTextAsync(path, $$"""
            environments:
              dev:
                targets:
                  - { name: good, url: "{{_server.V1}}", model: "{{_server.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 1
              max_requests: 2
              interval: 100ms
              data_spec: "prompt_tokens=8,output_tokens=4"
            """);
        _serving = CliInvoker.RunAsync(_out, _stop.Token, ["serve", "-c", path, "--host", "127.0.0.1", "--port", "0", "-o", Path.Combine(_dir, "out"), "--api-key-env", _keyVariable, .. extra]);
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            if (Regex.Match(_out.ToString(), @"Control API at (\S+/api)") is { Success: true } m)
            {
                return new Uri(m.Groups[1].Value.TrimEnd(';') + "/");
            }

            Assert.False(_serving.IsCompleted, _out.ToString());
            await Task.Delay(50);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, Uri url, string? body = null, string? key = Key, bool bearer = false)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            if (bearer)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.Add("X-API-Key", key);
            }
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(Uri api, string path) => SendAsync(HttpMethod.Get, new Uri(api, path), key: null);

    private async Task<JsonElement> WaitForAsync(Uri api, string path, Func<JsonElement, bool> done)
    {
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            var (_, body) = await GetAsync(api, path);
            if (done(body))
            {
                return body;
            }

            await Task.Delay(50);
        }
    }

    private async Task<string> MetricsAsync(Uri api) => await _http.GetStringAsync(new Uri(api, "../metrics"));

    [Fact]
    public async Task Every_route_answers_with_the_go_runners_shapes()
    {
        var api = await ServeAsync();

        var results = await WaitForAsync(api, "targets/good/results", b => b.GetProperty("results").ValueKind == JsonValueKind.Object);
        Assert.Equal("good", results.GetProperty("name").GetString());
        var r = results.GetProperty("results");
        Assert.Equal(2, r.GetProperty("TotalRequests").GetInt64());
        Assert.Equal(2, r.GetProperty("SuccessfulRequests").GetInt64());
        Assert.Equal("completed", r.GetProperty("status").GetString());
        Assert.Equal(2, r.GetProperty("benchmarks")[0].GetProperty("summary").GetProperty("requests").GetProperty("total").GetInt64());

        Assert.Equal("ok", (await GetAsync(api, "health")).Body.GetProperty("status").GetString());
        var status = (await GetAsync(api, "status")).Body;
        Assert.True(status.GetProperty("running").GetBoolean());
        Assert.Equal((1, 1, 0), (status.GetProperty("targets_count").GetInt32(), status.GetProperty("active_count").GetInt32(), status.GetProperty("stopped_count").GetInt32()));
        Assert.False(status.GetProperty("paused").GetBoolean());

        var listed = Assert.Single((await GetAsync(api, "targets")).Body.GetProperty("targets").EnumerateArray());
        Assert.Equal(("good", "dev", "running", _server.Options.Model, "concurrent"), (listed.GetProperty("name").GetString(), listed.GetProperty("environment").GetString(), listed.GetProperty("status").GetString(), listed.GetProperty("model").GetString(), listed.GetProperty("profile").GetString()));
        Assert.Equal("good", (await GetAsync(api, "targets/good")).Body.GetProperty("name").GetString());

        var missing = await GetAsync(api, "targets/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("target not found", missing.Body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(api, "targets/nope/results")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, new Uri(api, "targets/nope/start"))).Status);

        var add = $$"""{"name":"added","url":"{{_server.V1}}","model":"{{_server.Options.Model}}","max_seconds":30,"rate":2,"request_type":"text_completions"}""";
        var created = await SendAsync(HttpMethod.Post, new Uri(api, "targets"), add, bearer: true);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(("added", "dynamic", "stopped", 30, 2.0, "text_completions"), (created.Body.GetProperty("name").GetString(), created.Body.GetProperty("environment").GetString(), created.Body.GetProperty("status").GetString(), created.Body.GetProperty("max_seconds").GetInt32(), created.Body.GetProperty("rate").GetDouble(), created.Body.GetProperty("request_type").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, new Uri(api, "targets"), add)).Status);
        Assert.Equal("no results available yet", (await GetAsync(api, "targets/added/results")).Body.GetProperty("message").GetString());

        Assert.Equal("running", (await SendAsync(HttpMethod.Post, new Uri(api, "targets/added/start"))).Body.GetProperty("status").GetString());
        Assert.Contains("already running", (await SendAsync(HttpMethod.Post, new Uri(api, "targets/added/start"))).Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("stopped", (await SendAsync(HttpMethod.Post, new Uri(api, "targets/added/stop"))).Body.GetProperty("status").GetString());
        var again = await SendAsync(HttpMethod.Post, new Uri(api, "targets/added/stop"));
        Assert.Equal((HttpStatusCode.BadRequest, "target \"added\" is not running"), (again.Status, again.Body.GetProperty("error").GetString()));
        Assert.Equal("target removed", (await SendAsync(HttpMethod.Delete, new Uri(api, "targets/added"))).Body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(api, "targets/added")).Status);
    }

    [Fact]
    public async Task Mutating_routes_need_the_key_and_a_missing_or_wrong_one_learns_nothing()
    {
        var api = await ServeAsync();
        string[] keys = [null!, string.Empty, "wrong", Key + "x", Key[..^1], Key.ToUpperInvariant()];
        (HttpMethod, string)[] routes = [(HttpMethod.Post, "targets"), (HttpMethod.Delete, "targets/good"), (HttpMethod.Post, "targets/good/stop"), (HttpMethod.Post, "targets/nope/start"), (HttpMethod.Post, "scheduler/pause"), (HttpMethod.Post, "scheduler/resume")];
        foreach (var (method, route) in routes)
        {
            foreach (var key in keys)
            {
                foreach (var bearer in (bool[])[false, true])
                {
                    var (status, body) = await SendAsync(method, new Uri(api, route), "{\"name\":\"x\"}", key, bearer);
                    Assert.Equal(HttpStatusCode.Unauthorized, status);
                    Assert.Equal("{\"error\":\"unauthorized\"}", body.GetRawText());
                }
            }
        }

        Assert.Equal("running", (await GetAsync(api, "targets/good")).Body.GetProperty("status").GetString());
        Assert.DoesNotContain(Key, _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_bodies_get_400_naming_every_problem_and_variables_are_never_read_from_the_environment()
    {
        var api = await ServeAsync("--paused");
        async Task<string> ProblemsAsync(string body)
        {
            var (status, answer) = await SendAsync(HttpMethod.Post, new Uri(api, "targets"), body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("invalid target", answer.GetProperty("error").GetString());
            return answer.GetProperty("message").GetString()!;
        }

        var (status, notJson) = await SendAsync(HttpMethod.Post, new Uri(api, "targets"), "{\"name\": ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid JSON", notJson.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("must be a JSON object", await ProblemsAsync("[1,2]"), StringComparison.Ordinal);

        var many = await ProblemsAsync("""{"name":"bad","url":"ftp://x","model":"m","rate":-1,"colour":"red","max_seconds":"soon"}""");
        Assert.Contains("url: must be an absolute http:// or https:// URL", many, StringComparison.Ordinal);
        Assert.Contains("colour: unknown key", many, StringComparison.Ordinal);
        Assert.Contains("rate:", many, StringComparison.Ordinal);
        Assert.Contains("max_seconds:", many, StringComparison.Ordinal);
        Assert.Contains("model: missing", await ProblemsAsync("""{"name":"bad","url":"http://127.0.0.1:1/v1"}"""), StringComparison.Ordinal);

        var leak = await ProblemsAsync($$"""{"name":"leak","url":"http://127.0.0.1:1/v1","model":"m","api_key":"${{{_keyVariable}}}"}""");
        Assert.Contains(_keyVariable, leak, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, leak, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_stops_new_runs_and_shows_in_the_gauge_and_resume_starts_them_again()
    {
        var api = await ServeAsync("--paused");
        Assert.Contains("guidellm_scheduler_paused 1", await MetricsAsync(api), StringComparison.Ordinal);
        Assert.True((await GetAsync(api, "status")).Body.GetProperty("paused").GetBoolean());
        await SendAsync(HttpMethod.Post, new Uri(api, "targets/good/stop"));
        var refused = await SendAsync(HttpMethod.Post, new Uri(api, "targets/good/start"));
        Assert.Equal((HttpStatusCode.Conflict, "the schedule is paused"), (refused.Status, refused.Body.GetProperty("error").GetString()));

        // That no run starts however many intervals pass while paused is shown on a fake clock by TargetSchedulerTests.
        Assert.Equal(0, _server.CompletionRequestsReceived);
        Assert.Equal("no results available yet", (await GetAsync(api, "targets/good/results")).Body.GetProperty("message").GetString());

        Assert.False((await SendAsync(HttpMethod.Post, new Uri(api, "scheduler/resume"))).Body.GetProperty("paused").GetBoolean());
        Assert.Equal("running", (await SendAsync(HttpMethod.Post, new Uri(api, "targets/good/start"))).Body.GetProperty("status").GetString());
        Assert.Contains("guidellm_scheduler_paused 0", await MetricsAsync(api), StringComparison.Ordinal);
        await WaitForAsync(api, "targets/good/results", b => b.GetProperty("results").ValueKind == JsonValueKind.Object);

        Assert.True((await SendAsync(HttpMethod.Post, new Uri(api, "scheduler/pause"))).Body.GetProperty("paused").GetBoolean());
        Assert.Contains("guidellm_scheduler_paused 1", await MetricsAsync(api), StringComparison.Ordinal);
        Assert.True((await GetAsync(api, "scheduler")).Body.GetProperty("paused").GetBoolean());
    }

    private static Gen<string> Any(params string[] choices) => Gen.Int[0, choices.Length - 1].Select(i => choices[i]);

    [Fact]
    public async Task Fuzzed_target_bodies_get_201_or_a_400_naming_a_problem_never_a_crash()
    {
        var api = await ServeAsync("--paused");
        var value = Gen.OneOf(
            Gen.String[0, 12].Select(s => JsonSerializer.Serialize(s)),
            Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0"),
            Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Any("true", "null", "[]", "{}", "\"${HOME}\"", "\"http://127.0.0.1:1/v1\"", "\"constant\"", "\"chat_completions\"", "\"prompt_tokens=8,output_tokens=4\""));
        var key = Any("name", "url", "model", "environment", "api_key", "profile", "rate", "max_seconds", "request_type", "data_spec", "interval", "slo", "headers", "x", "");
        var body = Gen.OneOf(
            Gen.Select(key, value).Array[0, 8].Select(pairs => "{" + string.Join(",", pairs.Select(p => $"{JsonSerializer.Serialize(p.Item1)}:{p.Item2}")) + "}"),
            Gen.String[0, 40]);
        var created = 0;
        await body.SampleAsync(async text =>
        {
            var (status, answer) = await SendAsync(HttpMethod.Post, new Uri(api, "targets"), text);
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"{status} for {text}");
            if (status == HttpStatusCode.Created)
            {
                created++;
                Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, new Uri(api, $"targets/{Uri.EscapeDataString(answer.GetProperty("name").GetString()!)}?environment={Uri.EscapeDataString(answer.GetProperty("environment").GetString()!)}"))).Status);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(answer.GetProperty("error").GetString()));
            }
        }, iter: 300);
        Assert.Equal("good", Assert.Single((await GetAsync(api, "targets")).Body.GetProperty("targets").EnumerateArray()).GetProperty("name").GetString());
    }
}
