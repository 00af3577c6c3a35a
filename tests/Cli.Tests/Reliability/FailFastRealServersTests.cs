using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Reliability;

/// <summary>
/// A new user's mistakes against real server software: a wrong model, a wrong key and a wrong port, against uvicorn
/// serving vLLM-style SSE (with vLLM's own error replies) directly and behind nginx. Each run ends within a few requests,
/// with the server's message on the console, in the report's <c>statusReason</c> and in the exit code.
/// </summary>
public sealed class FailFastRealServersTests : IAsyncLifetime
{
    private const string Key = "sk-uvicorn-right-3131";

    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-failfast-").FullName;
    private ServerProcess? _uvicorn;
    private ServerProcess? _nginx;
    private ServerProcess? _nginxToNowhere;

    public async Task InitializeAsync()
    {
        _uvicorn = await Uvicorn.StartAsync(apiKey: Key);
        _nginx = await Nginx.StartAsync(Nginx.ProxyTo(Uvicorn.V1(_uvicorn)));
        _nginxToNowhere = await Nginx.StartAsync(Nginx.ProxyTo(new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}")));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in (ServerProcess?[])[_nginxToNowhere, _nginx, _uvicorn])
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, string, string, string, string> Mistakes() => new()
    {
        // where, mistake, model, key, what the user must read
        { "uvicorn", "model", "typo", Key, "the server does not serve the model `typo`; it lists `uvicorn/sse`" },
        { "uvicorn", "model-unchecked", "typo", Key, "HTTP 404: The model `typo` does not exist." },
        { "uvicorn", "key", Uvicorn.Model, "sk-wrong", "the server refused the credentials (HTTP 401): Unauthorized" },
        { "uvicorn", "port", Uvicorn.Model, Key, "Connection refused" },
        { "nginx", "model-unchecked", "typo", Key, "HTTP 404: The model `typo` does not exist." },
        { "nginx", "key", Uvicorn.Model, "sk-wrong", "the server refused the credentials (HTTP 401): Unauthorized" },
        { "nginx", "port", Uvicorn.Model, Key, "cannot reach it (HTTP 502): 502 Bad Gateway" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Each_mistake_ends_within_a_few_requests_with_the_servers_words_on_the_console_in_the_report_and_the_exit_code(
        string where, string mistake, string model, string key, string expected)
    {
        var url = (where, mistake) switch
        {
            ("uvicorn", "port") => $"http://127.0.0.1:{LoopbackPorts.Free()}/v1",
            ("uvicorn", _) => Uvicorn.V1(_uvicorn!).ToString(),
            ("nginx", "port") => $"http://127.0.0.1:{_nginxToNowhere!.Port}/v1",
            _ => $"http://127.0.0.1:{_nginx!.Port}/v1",
        };
        var config = Path.Combine(_dir, $"{where}-{mistake}.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              dev:
                targets:
                  - { name: mistaken, url: "{{url}}", model: "{{model}}", api_key: "{{key}}", check_model: {{(mistake == "model-unchecked" ? "false" : "true")}} }
            defaults:
              profile: constant
              rate: 50
              max_seconds: 30
              data_spec: "prompt_tokens=16,output_tokens=4"
            """);
        var output = Path.Combine(_dir, $"out-{where}-{mistake}");
        using var console = new StringWriter();

        var exit = await CliInvoker.RunAsync(console, CancellationToken.None, "run", "--config", config, "--environment", "dev", "--output", output);

        Assert.Equal(1, exit);
        static string Flat(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c) && c != '│'));
        Assert.Contains(Flat(expected), Flat(console.ToString()), StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories))));
        Assert.Equal("failed", report.RootElement.GetProperty("status").GetString());
        Assert.Contains(expected, report.RootElement.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        var sent = report.RootElement.GetProperty("benchmarks").EnumerateArray().Sum(b => b.GetProperty("summary").GetProperty("requests").GetProperty("total").GetInt64());
        Assert.InRange(sent, 0, 10);
        Assert.DoesNotContain(Key, console.ToString(), StringComparison.Ordinal);
        if (where == "nginx" && mistake != "port")
        {
            var completions = File.ReadLines(Path.Combine(_nginx!.Directory, "access.log")).Count(l => l.Contains("/chat/completions", StringComparison.Ordinal));
            Assert.InRange(completions, 0, 10);
        }
    }
}
