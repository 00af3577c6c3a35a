using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// The HTML report of a large run: a real 200,000-request burst against the simulator, saved as the CLI saves it, then
/// its page drawn in a fresh process (this program's <c>page-probe</c> verb: the first page a process draws pays the
/// JIT, as the CLI's report verb does) and again warm: time, size of the page, the report and the records.
/// </summary>
internal static class PageScenario
{
    public static async Task RunAsync(Suite suite)
    {
        var requests = suite.Quick ? 50_000 : 200_000;
        await using var simulator = await SimulatorProcess.StartAsync(LargeRun.Simulator);
        var dir = Directory.CreateTempSubdirectory("guidellm-page-").FullName;
        try
        {
            var results = await LargeRun.SaveAsync(simulator.V1, "page", requests, dir).ConfigureAwait(false);
            var report = results[0].Saved!.Location;

            using var json = await ProbeProcess.RunAsync("page-probe", report).ConfigureAwait(false);
            var r = json.RootElement;
            var cold = r.GetProperty("coldSeconds").GetDouble();
            var warm = r.GetProperty("warmSeconds").GetDouble();
            var coldCpu = r.GetProperty("coldCpuSeconds").GetDouble();
            var warmCpu = r.GetProperty("warmCpuSeconds").GetDouble();
            var pageMb = r.GetProperty("pageBytes").GetInt64() / 1e6;
            var sent = results[0].Report.Benchmarks.Sum(b => b.Summary.Requests.Total);
            var recordsMb = new FileInfo(report[..^".json".Length] + ReportLayout.RequestsSuffix).Length / 1e6;
            var reportKb = new FileInfo(report).Length / 1e3;
            suite.Table("10. HTML report of a large run", ["requests", "records (gzip MB)", "report JSON (kB)", "page (MB)", "charts", "first page in a process: s (CPU s)", "warm: s (CPU s)", "peak MiB"],
            [[
                sent.ToString("N0", CultureInfo.InvariantCulture), Suite.F(recordsMb, 1), Suite.F(reportKb, 0), Suite.F(pageMb, 2),
                r.GetProperty("charts").GetInt32().ToString(CultureInfo.InvariantCulture), $"{Suite.F(cold, 2)} ({Suite.F(coldCpu, 2)})", $"{Suite.F(warm, 2)} ({Suite.F(warmCpu, 2)})",
                Suite.F(r.GetProperty("peakWorkingSetBytes").GetInt64() / (1024.0 * 1024), 0),
            ]]);
            suite.Sections["page"] = new { requests = sent, recordsGzipBytes = recordsMb * 1e6, reportBytes = reportKb * 1e3, pageBytes = pageMb * 1e6, coldSeconds = cold, coldCpuSeconds = coldCpu, warmSeconds = warm, warmCpuSeconds = warmCpu, peakWorkingSetBytes = r.GetProperty("peakWorkingSetBytes").GetInt64() };
            suite.Goals.Add(new Goal($"page of a {sent:N0}-request run, first in a fresh process", "< 2 s", $"{Suite.F(cold, 2)} s ({Suite.F(coldCpu, 2)} s CPU)", cold < 2));
            suite.Goals.Add(new Goal($"page of a {sent:N0}-request run, size", "< 2 MB", Suite.F(pageMb, 2) + " MB", pageMb < 2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The child side: draws the page of the report at <c>args[0]</c> (with its records) once cold, then five times warm, and prints the figures.</summary>
    public static async Task<int> ProbeAsync(string[] args)
    {
        var (page, timing) = await ColdWarmTiming.MeasureAsync(async () => ReportPage.Render(await ArchivedReport.LoadAsync(args[0], null, CancellationToken.None).ConfigureAwait(false))).ConfigureAwait(false);
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            coldSeconds = timing.ColdSeconds,
            coldCpuSeconds = timing.ColdCpuSeconds,
            warmSeconds = timing.WarmSeconds,
            warmCpuSeconds = timing.WarmCpuSeconds,
            pageBytes = System.Text.Encoding.UTF8.GetByteCount(page),
            charts = page.Split("<figure class=\"chart\"").Length - 1,
            peakWorkingSetBytes = self.PeakWorkingSet64,
        }));
        return 0;
    }
}
