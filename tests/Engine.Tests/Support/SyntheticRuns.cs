using System.Globalization;
using System.IO.Compression;
using System.Text;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// Runs written as the runner writes them (a report and its gzip per-request records), with latencies drawn from a
/// known process: what the verdict's statistics are checked against where the truth must be known exactly.
/// </summary>
internal static class SyntheticRuns
{
    /// <summary>One request of a synthetic run.</summary>
    public readonly record struct Request(double SentMs, double TtftMs, double TpotMs, int OutputTokens, string Status = "successful", string Phase = "measured")
    {
        public double E2eMs => TtftMs + (TpotMs * (OutputTokens - 1));
    }

    /// <summary>
    /// <paramref name="count"/> requests sent at <paramref name="rate"/> per second whose TTFT and TPOT follow an AR(1)
    /// process of lag-one correlation <paramref name="phi"/> around their means (log-normal, 20% spread): a load test's
    /// latencies drift with the batch and the queue, so neighbours are alike.
    /// </summary>
    public static List<Request> Autocorrelated(int count, double rate, double phi, int seed, double ttftMs = 100, double tpotMs = 10, int tokens = 32)
    {
        var random = new Random(seed);
        var requests = new List<Request>(count);
        double a = 0, b = 0;
        var innovation = Math.Sqrt(1 - (phi * phi));
        for (var i = 0; i < count; i++)
        {
            a = (phi * a) + (innovation * Normal(random));
            b = (phi * b) + (innovation * Normal(random));
            requests.Add(new Request(i * 1000 / rate, ttftMs * Math.Exp(0.2 * a), tpotMs * Math.Exp(0.2 * b), tokens));
        }

        return requests;
    }

    /// <summary>Writes <paramref name="requests"/> as one constant-rate stage of run <paramref name="runId"/> under <paramref name="dir"/>; returns the report's path.</summary>
    public static string Write(string dir, string runId, IReadOnlyList<Request> requests, double rate, DateTimeOffset startedAt, Action<TargetReport>? config = null, RunStatus status = RunStatus.Completed, string model = "m")
    {
        Directory.CreateDirectory(dir);
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = rate };
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = model }, settings);
        var describe = EffectiveConfig.Describe(target);
        config?.Invoke(describe);
        var measured = requests.Where(r => r.Phase == "measured").ToList();
        var seconds = Math.Max(1e-3, requests.Count == 0 ? 1 : (requests[^1].SentMs / 1000) + (1 / rate));
        var report = new RunReport
        {
            RunId = runId,
            Environment = "dev",
            Target = "t",
            Model = model,
            Status = status,
            StartedAt = startedAt,
            EndedAt = startedAt.AddSeconds(seconds),
            Trigger = RunTrigger.Cli,
            Config = describe,
            RequestsFile = runId + ReportLayout.RequestsSuffix,
            Benchmarks =
            [
                new BenchmarkReport
                {
                    Index = 0,
                    Profile = new ProfileReport("constant", rate, null, null, seconds, null, 0, 0),
                    StartedAt = startedAt,
                    EndedAt = startedAt.AddSeconds(seconds),
                    DurationSeconds = seconds,
                    MeasuredSeconds = seconds,
                    StopReason = "max_seconds",
                    Summary = Summary(measured, seconds),
                },
            ],
        };

        var path = Path.Combine(dir, runId + ".json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport));
        using var gzip = new GZipStream(File.Create(Path.Combine(dir, report.RequestsFile)), CompressionLevel.Fastest);
        var i = 0;
        foreach (var r in requests)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $$"""{"stage":0,"index":{{i++}},"requestId":"{{runId}}-0-{{i}}","status":"{{r.Status}}","phase":"{{r.Phase}}","sentMs":{{r.SentMs:F3}},"ttftMs":{{r.TtftMs:F3}},"e2eMs":{{r.E2eMs:F3}},"tpotMs":{{r.TpotMs:F3}},"outputTokens":{{r.OutputTokens}}}""");
            gzip.Write(Encoding.UTF8.GetBytes(line + "\n"));
        }

        return path;
    }

    private static BenchmarkSummary Summary(List<Request> measured, double seconds)
    {
        var ok = measured.Where(r => r.Status == "successful").ToList();
        Distribution Of(Func<Request, double> f)
        {
            var d = new Distribution();
            ok.ForEach(r => d.Record(f(r)));
            return d;
        }

        return new BenchmarkSummary
        {
            Requests = new RequestCounts(measured.Count, ok.Count, measured.Count - ok.Count, 0),
            Errors = new Dictionary<string, long>(),
            Tokens = new TokenCounts(0, ok.Sum(r => r.OutputTokens), "usage", 0, 0),
            TtftMs = Of(r => r.TtftMs).Summarize(),
            ItlMs = Of(r => r.TpotMs).Summarize(),
            TpotMs = Of(r => r.TpotMs).Summarize(),
            E2eLatencyMs = Of(r => r.E2eMs).Summarize(),
            DispatchDelayMs = new Distribution().Summarize(),
            Throughput = new ThroughputSummary(ok.Count / seconds, ok.Sum(r => r.OutputTokens) / seconds, 0),
            Concurrency = new ConcurrencySummary(1, 1),
        };
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
