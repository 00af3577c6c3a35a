using System.Text.Json;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary><c>run --url</c>: a burst against a URL without a config file, as guidellm and <c>vllm bench serve</c> users start.</summary>
public sealed class AdHocRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-adhoc-").FullName;
    private readonly StringWriter _out = new();

    public void Dispose()
    {
        _out.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CliInvoker.RunAsync(_out, CancellationToken.None, args);

    private JsonElement Report(string output)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories))));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Without_a_model_the_only_one_the_server_lists_is_run_with_the_key_from_the_named_variable_and_the_flags_settings()
    {
        const string Variable = "GUIDELLM_TEST_ADHOC_KEY_1";
        Environment.SetEnvironmentVariable(Variable, "sk-adhoc-secret-4242");
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "only-one", TtftMs = 2, ItlMs = 1, ApiKey = "sk-adhoc-secret-4242" });
        var output = Path.Combine(_dir, "out");

        var exit = await Run("run", "--url", server.V1.ToString(), "--api-key-env", Variable, "--profile", "synchronous", "--max-requests", "3", "--data-spec", "prompt_tokens=16,output_tokens=4", "-o", output);

        Assert.Equal(0, exit);
        var report = Report(output);
        Assert.Equal("only-one", report.GetProperty("model").GetString());
        Assert.Equal("adhoc", report.GetProperty("environment").GetString());
        Assert.Equal($"127.0.0.1-{server.V1.Port}", report.GetProperty("target").GetString());
        var stage = Assert.Single(report.GetProperty("benchmarks").EnumerateArray());
        Assert.Equal(3, stage.GetProperty("summary").GetProperty("requests").GetProperty("successful").GetInt64());
        Assert.Equal(4, stage.GetProperty("summary").GetProperty("tokens").GetProperty("output").GetInt64() / 3);
        Assert.Equal("synchronous", report.GetProperty("config").GetProperty("profile").GetString());
        Assert.Contains("model only-one", _out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-adhoc-secret-4242", _out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-adhoc-secret-4242", File.ReadAllText(Directory.GetFiles(output, "*.json", SearchOption.AllDirectories)[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_model_environment_and_target_are_used_as_given()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "named", TtftMs = 2, ItlMs = 1 });
        var output = Path.Combine(_dir, "out");

        var exit = await Run("run", "--url", server.V1.ToString(), "--model", "named", "-e", "lab", "-t", "gpu-a", "--profile", "constant", "--rate", "20", "--max-seconds", "0.5", "--data-spec", "prompt_tokens=16,output_tokens=4", "-o", output);

        Assert.Equal(0, exit);
        var report = Report(output);
        Assert.Equal(("lab", "gpu-a", "named"), (report.GetProperty("environment").GetString(), report.GetProperty("target").GetString(), report.GetProperty("model").GetString()));
        Assert.InRange(server.CompletionRequestsReceived, 5, 15);
    }

    [Fact]
    public async Task Flags_that_cannot_work_exit_2_each_named_and_nothing_is_sent()
    {
        const string Unset = "GUIDELLM_TEST_ADHOC_UNSET_KEY";
        Environment.SetEnvironmentVariable(Unset, null);

        Assert.Equal(2, await Run("run", "--url", "ftp://example/v1", "--api-key-env", Unset, "-t", "a", "-t", "b"));
        var text = _out.ToString();
        Assert.Contains("'ftp://example/v1' is not an absolute http(s) URL", text, StringComparison.Ordinal);
        Assert.Contains($"the environment variable '{Unset}' is not set or empty", text, StringComparison.Ordinal);
        Assert.Contains("at most one --target", text, StringComparison.Ordinal);

        Assert.Equal(2, await Run("run", "--url", "http://127.0.0.1:1/v1", "--config", "x.yaml"));
        Assert.Contains("give either --url or --config", _out.ToString(), StringComparison.Ordinal);

        Assert.Equal(2, await Run("run", "--model", "m"));
        Assert.Contains("give --config FILE --environment ENV, or --url URL", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("--model", _out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_a_server_that_cannot_name_one_exits_2_saying_why()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { ApiKey = "right" });
        var output = Path.Combine(_dir, "out");

        var refused = await Run("run", "--url", server.V1.ToString(), "-o", output);
        var closed = await Run("run", "--url", $"http://127.0.0.1:{LoopbackPorts.Free()}/v1", "-o", output);

        Assert.Equal((2, 2), (refused, closed));
        var flat = _out.ToString();
        Assert.Contains($"--model: {server.V1.ToString().TrimEnd('/')}/models answered HTTP 401", flat, StringComparison.Ordinal);
        Assert.Contains("did not answer, so the model cannot be found out: name it", flat, StringComparison.Ordinal);
        Assert.Equal(0, server.CompletionRequestsReceived);
        Assert.False(Directory.Exists(output) && Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).Length > 0);
    }
}
