using GuidellmFunctions.Simulator;
using GuidellmFunctions.Cli.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary>The verbs as a user calls them: exit codes, what is printed, what is written.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-cli-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => Run(CancellationToken.None, args);

    private Task<int> Run(CancellationToken cancellationToken, params string[] args) => CliInvoker.RunAsync(_out, cancellationToken, args);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task Validate_accepts_a_good_config_and_lists_its_targets()
    {
        var path = Write("ok.yaml", """
            environments:
              staging:
                targets:
                  - { name: a, url: "http://127.0.0.1:1/v1", model: m, rate: 3 }
            """);

        Assert.Equal(0, await Run("validate", "--config", path));
        Assert.Contains("OK", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("staging/a: constant rate 3", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_lists_every_problem_with_file_and_line_and_exits_2()
    {
        var path = Write("bad.yaml", """
            environments:
              staging:
                targets:
                  - name: a
                    url: ftp://x
                    model: m
                    rate: zero
            """);

        Assert.Equal(2, await Run("validate", "--config", path));
        var text = _out.ToString();
        Assert.Contains("Configuration has 2 problems", text, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:5:", text, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:7:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_opens_every_dataset_and_names_one_that_cannot_be_used()
    {
        Write("good.jsonl", "{\"prompt\":\"one\"}\n{\"prompt\":\"two\"}\n");
        Write("broken.jsonl", "{\"prompt\":\"one\"}\n{\"prompt\":2}\n{\"text\":\"3\"}\n");
        var path = Write("datasets.yaml", """
            environments:
              staging:
                targets:
                  - { name: a, url: "http://127.0.0.1:1/v1", model: m, dataset: good }
            datasets:
              - { name: good, path: good.jsonl }
              - { name: broken, path: broken.jsonl }
            """);

        Assert.Equal(2, await Run("validate", "--config", path));
        var text = _out.ToString();
        var flat = string.Join(' ', text.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Configuration has 1 problem", flat, StringComparison.Ordinal);
        Assert.Contains("dataset broken: dataset", flat, StringComparison.Ordinal);
        Assert.Contains("refused as mostly malformed", flat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_writes_reports_prints_the_table_and_exits_1_when_a_target_fails()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var path = Write("run.yaml", $$"""
            environments:
              dev:
                targets:
                  - name: good
                    url: {{server.V1}}
                    model: {{server.Options.Model}}
                    api_key: ${GUIDELLM_TEST_KEY:-sk-cli-secret-5555}
                  - name: dead
                    url: http://127.0.0.1:1/v1
                    model: m
            defaults:
              profile: concurrent
              rate: 2
              data_spec: "prompt_tokens=16,output_tokens=4"
            """);
        var output = Path.Combine(_dir, "out");

        var exit = await Run("run", "--config", path, "--environment", "dev", "--max-requests", "6", "--max-seconds", "30", "--output", output);

        var text = _out.ToString();
        Assert.Equal(1, exit);
        Assert.Contains("dev/good", text, StringComparison.Ordinal);
        Assert.Contains("6 / 0 / 0", text, StringComparison.Ordinal);
        Assert.Matches("connection=[56]", text);
        Assert.Contains("dev/dead failed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-cli-secret-5555", text, StringComparison.Ordinal);
        var reports = Directory.GetFiles(output, "*.json", SearchOption.AllDirectories);
        Assert.Equal(2, reports.Length);
        Assert.Equal(2, Directory.GetFiles(output, "*.requests.jsonl.gz", SearchOption.AllDirectories).Length);
        Assert.All(reports, r => Assert.DoesNotContain("sk-cli-secret-5555", File.ReadAllText(r), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, "does not serve the model `typo`; it lists `served`")]
    [InlineData(false, "The model `typo` does not exist.")]
    public async Task A_wrong_model_ends_at_once_with_the_servers_words_on_the_console_in_the_report_and_the_exit_code(bool checkModel, string expected)
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "served" });
        var path = Write("typo.yaml", $$"""
            environments:
              dev:
                targets:
                  - { name: typo, url: "{{server.V1}}", model: typo, check_model: {{(checkModel ? "true" : "false")}} }
            defaults:
              profile: constant
              rate: 50
              data_spec: "prompt_tokens=16,output_tokens=4"
            """);
        var output = Path.Combine(_dir, "out");

        var exit = await Run("run", "--config", path, "--environment", "dev", "--max-seconds", "30", "--output", output);

        var flat = string.Concat(_out.ToString().Where(c => !char.IsWhiteSpace(c) && c != '│'));
        Assert.Equal(1, exit);
        Assert.Contains(string.Concat(expected.Where(c => !char.IsWhiteSpace(c))), flat, StringComparison.Ordinal);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories))));
        Assert.Contains(expected, report.RootElement.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        Assert.InRange(server.CompletionRequestsReceived, 0, checkModel ? 0 : 10);
    }

    [Fact]
    public async Task Run_with_one_target_selected_exits_0()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var path = Write("one.yaml", $$"""
            environments:
              dev:
                targets:
                  - { name: good, url: "{{server.V1}}", model: "{{server.Options.Model}}" }
                  - { name: dead, url: "http://127.0.0.1:1/v1", model: m }
            """);

        var exit = await Run("run", "-c", path, "-e", "dev", "--target", "good", "--profile", "synchronous", "--max-requests", "3", "-o", Path.Combine(_dir, "out"));

        Assert.Equal(0, exit);
        Assert.DoesNotContain("dev/dead", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_flags_and_unknown_names_exit_2_naming_them()
    {
        var path = Write("x.yaml", """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://127.0.0.1:1", model: m }
            """);

        Assert.Equal(2, await Run("run", "-c", path, "-e", "dev", "--rate", "fast", "--profile", "warp"));
        Assert.Contains("--rate", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("--profile", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await Run("run", "-c", path, "-e", "prod"));
        Assert.Contains("unknown environment 'prod'", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await Run("run", "-c", Path.Combine(_dir, "missing.yaml"), "-e", "dev"));
        Assert.Contains("cannot read config file", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await Run("simulate", "--fault", "explode=0.5"));
        Assert.Contains("unknown fault kind 'explode'", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_on_a_port_in_use_exits_2_naming_the_address()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(2, await Run("simulate", "--port", port));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", _out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_runs_a_burst_against_the_built_in_simulator()
    {
        var output = Path.Combine(_dir, "demo");

        var exit = await Run("demo", "--max-seconds", "2", "--rate", "5", "--output", output);

        Assert.Equal(0, exit);
        Assert.Contains("demo/simulated-llama: completed", _out.ToString(), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Serve_runs_targets_on_their_interval_and_exposes_metrics_promtool_accepts()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1 });
        var path = Write("serve.yaml", $$"""
            environments:
              dev:
                targets:
                  - { name: good, url: "{{server.V1}}", model: "{{server.Options.Model}}" }
            defaults:
              profile: concurrent
              rate: 2
              max_requests: 4
              interval: 1s
              data_spec: "prompt_tokens=16,output_tokens=4"
            prometheus:
              port: 9090
            """);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var serving = Run(stop.Token, "serve", "-c", path, "--host", "127.0.0.1", "--port", "0", "-o", Path.Combine(_dir, "out"));

        string? url = null;
        string metrics = string.Empty;
        using var http = new HttpClient();
        while (!stop.IsCancellationRequested)
        {
            url ??= System.Text.RegularExpressions.Regex.Match(_out.ToString(), @"metrics at (\S+/metrics)") is { Success: true } m ? m.Groups[1].Value : null;
            if (url is not null)
            {
                metrics = await http.GetStringAsync(url);
                if (metrics.Contains("guidellm_benchmark_runs_total{environment=\"dev\",target=\"good\",model=\"simulated/llama-3.1-8b-instruct\"} 2", StringComparison.Ordinal))
                {
                    break;
                }
            }

            await Task.Delay(100);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await serving);
        Assert.Contains("guidellm_runner_up 1", metrics, StringComparison.Ordinal);
        Assert.Contains("guidellm_requests_successful_total{environment=\"dev\",target=\"good\",model=\"simulated/llama-3.1-8b-instruct\"} 8", metrics, StringComparison.Ordinal);
        Assert.Contains("guidellm_ttft_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("guidellm_requests_failed_total{environment=\"dev\",target=\"good\",model=\"simulated/llama-3.1-8b-instruct\",reason=\"timeout\"} 0", metrics, StringComparison.Ordinal);

        var promtool = new System.Diagnostics.ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(promtool)!;
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var problems = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "promtool check metrics: " + problems);
    }

    [Fact]
    public async Task Export_writes_openmetrics_that_promtool_backfills()
    {
        var output = Path.Combine(_dir, "demo");
        Assert.Equal(0, await Run("demo", "--max-seconds", "1", "--rate", "5", "--output", output));
        var report = Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).Single();
        var om = Path.Combine(_dir, "report.om");

        Assert.Equal(0, await Run("export", report, "--format", "openmetrics", "--output", om));

        var text = await File.ReadAllTextAsync(om);
        Assert.Contains("# TYPE guidellm_requests counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE guidellm_ttft_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("guidellm_ttft_seconds_bucket{environment=\"demo\",le=\"+Inf\",model=\"simulated/llama-3.1-8b-instruct\",target=\"simulated-llama\"}", text, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);

        var blocks = Path.Combine(_dir, "blocks");
        var info = new System.Diagnostics.ProcessStartInfo("promtool") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "tsdb", "create-blocks-from", "openmetrics", om, blocks } };
        using var process = System.Diagnostics.Process.Start(info)!;
        var log = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "promtool: " + log);
        Assert.NotEmpty(Directory.GetDirectories(blocks));
    }

    [Fact]
    public async Task Export_of_a_file_that_is_not_a_report_exits_2_naming_it()
    {
        var path = Write("nope.json", "{ not json");

        Assert.Equal(2, await Run("export", path));
        Assert.Contains("nope.json: cannot read the report", _out.ToString(), StringComparison.Ordinal);
    }
}
