using System.IO.Compression;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Cli.Tests.Support;
using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Cli.Tests.Reliability;

/// <summary>
/// A burst with known secrets in every place a config holds one (target API key, a key in the URL's userinfo and query,
/// remote_write bearer token and basic-auth password, the archive's account key), against a target that echoes the
/// key back in its error body, logged at Trace. Then every output is scanned: the process's stdout and stderr (logs,
/// progress, summary), every file written, every archived blob with its metadata and tags, every pushed sample's labels,
/// the OpenMetrics export and pull mode's /metrics.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private const string TargetKey = "sk-LEAK-target-7f3a9c";
    private const string UserInfoPassword = "LEAK-userinfo-pw";
    private const string QueryKey = "LEAK-query-key";
    private const string BearerToken = "LEAK-bearer-token-55";
    private const string BasicPassword = "LEAK-basic-password-66";
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-secrets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task No_secret_appears_in_any_output()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 5, ItlMs = 1, OutputTokens = 4, ApiKey = TargetKey });
        await using var echo = RawSocketServer.Start(async (head, stream, token) =>
        {
            var body = Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"bad key in request: " + head.Replace("\r\n", " | ", StringComparison.Ordinal) + "\"}}");
            await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes($"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), .. body], token);
        });
        await using var azurite = await AzuriteServer.StartAsync();
        await using var bearerReceiver = await FakeReceiver.StartAsync();
        await using var basicReceiver = await FakeReceiver.StartAsync();
        var accountKey = azurite.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        var config = Path.Combine(_dir, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            environments:
              secrets:
                targets:
                  - { name: good, url: "{{simulator.V1}}", model: "{{simulator.Options.Model}}", api_key: "${TARGET_KEY}" }
                  - { name: echo, url: "{{echo.V1}}", model: "m", api_key: "${TARGET_KEY}" }
                  - name: in-url
                    url: "http://user:{{UserInfoPassword}}@127.0.0.1:{{simulator.BaseAddress.Port}}/v1/chat/completions?api-key={{QueryKey}}"
                    model: "{{simulator.Options.Model}}"
            defaults:
              profile: constant
              rate: 10
              max_requests: 10
              interval: 1s
              data_spec: "prompt_tokens=8,output_tokens=4"
            remote_write:
              - url: "{{bearerReceiver.Url}}"
                bearer_token: "${RW_TOKEN}"
                push_interval: 1s
              - url: "{{basicReceiver.Url}}"
                basic_auth: { username: runner, password: "${RW_PASSWORD}" }
                push_interval: 1s
            archive:
              connection: "${STORAGE}"
            """);
        var environment = new Dictionary<string, string> { ["TARGET_KEY"] = TargetKey, ["RW_TOKEN"] = BearerToken, ["RW_PASSWORD"] = BasicPassword, ["STORAGE"] = azurite.ConnectionString };
        var output = Path.Combine(_dir, "out");
        var outputs = new List<(string Where, string Text)>();

        using (var run = RunnerProcess.Start(environment, "run", "--config", config, "--environment", "secrets", "--output", output, "--log-level", "Trace"))
        {
            Assert.NotNull(await run.WaitAsync(TimeSpan.FromSeconds(120)));
            outputs.Add(("run stdout/stderr", run.Output));
            Assert.Contains("good", run.Output, StringComparison.Ordinal);
            Assert.Contains("trce:", run.Output, StringComparison.Ordinal);
        }

        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("guidellm-reports");
        var reports = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata | BlobTraits.Tags, BlobStates.None, null, CancellationToken.None))
        {
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
            var text = blob.Name.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(content) : Encoding.UTF8.GetString(content);
            outputs.Add(("blob " + blob.Name, text + string.Join(",", blob.Metadata ?? new Dictionary<string, string>()) + string.Join(",", blob.Tags ?? new Dictionary<string, string>())));
            reports += blob.Name.EndsWith(".json", StringComparison.Ordinal) && !blob.Name.StartsWith(".runs/", StringComparison.Ordinal) ? 1 : 0;

            if (blob.Name.EndsWith(".json", StringComparison.Ordinal) && blob.Name.Contains("/good/", StringComparison.Ordinal))
            {
                var local = Path.Combine(_dir, "good.json");
                await File.WriteAllBytesAsync(local, content);
                var export = new StringWriter();
                Assert.Equal(0, await CliInvoker.RunAsync(export, CancellationToken.None, "export", local, "--format", "openmetrics"));
                outputs.Add(("export openmetrics", export.ToString()));
            }
        }

        Assert.Equal(3, reports);
        foreach (var file in Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : [])
        {
            var bytes = await File.ReadAllBytesAsync(file);
            outputs.Add(("file " + file, file.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(bytes) : Encoding.UTF8.GetString(bytes)));
        }

        var labels = bearerReceiver.Accepted.Concat(basicReceiver.Accepted).SelectMany(s => s.Labels).Select(l => l.Key + "=" + l.Value).ToList();
        Assert.NotEmpty(labels);
        outputs.Add(("pushed labels", string.Join("\n", labels)));
        Assert.Contains(bearerReceiver.Requests, r => r.Headers.Authorization.ToString() == "Bearer " + BearerToken);

        var port = LoopbackPorts.Free();
        using (var serve = RunnerProcess.Start(environment, "serve", "--config", config, "--environment", "secrets", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", Path.Combine(_dir, "serve"), "--log-level", "Trace"))
        {
            using var http = new HttpClient();
            var metrics = string.Empty;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !metrics.Contains("target=\"echo\"", StringComparison.Ordinal))
            {
                await Task.Delay(500);
                try
                {
                    metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }

            Assert.Contains("guidellm_requests_total", metrics, StringComparison.Ordinal);
            outputs.Add(("/metrics", metrics));
            serve.Signal("TERM");
            await serve.WaitAsync(TimeSpan.FromSeconds(30));
            outputs.Add(("serve stdout/stderr", serve.Output));
        }

        foreach (var secret in (string[])[TargetKey, UserInfoPassword, QueryKey, BearerToken, BasicPassword, accountKey, WebUtility.UrlEncode(accountKey)])
        {
            foreach (var (where, text) in outputs)
            {
                var line = text.Split('\n').FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
                Assert.True(line is null, $"secret {secret[..8]}... found in {where}: {line?.Replace(secret, "<SECRET>", StringComparison.Ordinal)}");
            }
        }
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return reader.ReadToEnd();
    }
}
