using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// What reading the server's own metrics during a stage costs the measurement: the accuracy burst (TTFT and ITL error
/// against the simulator's ground truth) with <c>server_metrics</c> off and with the target's <c>/metrics</c> read every
/// second (five times more often than the default), in interleaved pairs so the machine's load falls on both alike.
/// </summary>
internal static class ServerMetricsScenario
{
    public static async Task RunAsync(Suite suite)
    {
        var rows = new List<string[]>();
        var results = new List<object>();
        var settings = new (string Name, ServerMetricsSetting Setting)[] { ("off", ServerMetricsSetting.Off), ("every 1 s", new ServerMetricsSetting { Interval = TimeSpan.FromSeconds(1) }) };
        foreach (var streams in (int[])[100, 1000])
        {
            for (var round = 1; round <= (suite.Quick ? 1 : 2); round++)
            {
                foreach (var (name, setting) in settings)
                {
                    var row = await AccuracyScenario.MeasureAsync(suite, streams, null, serverMetrics: setting).ConfigureAwait(false);
                    rows.Add([round.ToString(System.Globalization.CultureInfo.InvariantCulture), .. row.Cells]);
                    results.Add(new { round, serverMetrics = name, row.Result });
                }
            }
        }

        suite.Table("3c. Accuracy with and without reading the server's /metrics during the stage (simulator TTFT 50 ms, ITL 20 ms, 32 tokens), ms",
            ["round", "streams", "mean in flight", "requests", "TTFT err p50", "TTFT err p99", "way in p50 / p99", "way out p50 / p99", "ITL err p50", "ITL err p99", "chunks/s", "runner CPU", "simulator CPU", "runner GCs 0/1/2, pause, allocated", "failed"], rows);
        suite.Sections["serverMetricsCost"] = results;
    }
}
