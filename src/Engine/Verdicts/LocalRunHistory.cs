using System.Runtime.CompilerServices;
using System.Text.Json;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>The runs saved under a local output directory (<see cref="LocalReportStore"/>'s layout).</summary>
internal sealed class LocalRunHistory(string root) : IRunHistory
{
    /// <inheritdoc />
    public string Description => root;

    /// <inheritdoc />
    public async IAsyncEnumerable<RunReport> NewestFirstAsync(string environment, string target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, environment, target);
        foreach (var day in Days(dir))
        {
            var reports = new List<RunReport>();
            foreach (var file in Directory.EnumerateFiles(day, "*.json"))
            {
                if (await ReadAsync(file, cancellationToken).ConfigureAwait(false) is { } report)
                {
                    reports.Add(report);
                }
            }

            foreach (var report in reports.OrderByDescending(r => r.StartedAt))
            {
                yield return report;
            }
        }
    }

    /// <inheritdoc />
    public async Task<RunReport?> FindAsync(string runId, string environment, string target, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(root, ReportLayout.RunMarkerPath(runId, environment, target));
        if (!File.Exists(marker))
        {
            return null;
        }

        var relative = (await File.ReadAllTextAsync(marker, cancellationToken).ConfigureAwait(false)).Trim();
        return await ReadAsync(Path.Combine(root, relative), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Stream?> OpenRequestsAsync(RunReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var path = Path.Combine(root, ReportLayout.RequestsPath(ReportLayout.ReportPath(report)));
        return Task.FromResult<Stream?>(report.RequestsFile is not null && File.Exists(path) ? File.OpenRead(path) : null);
    }

    /// <summary>The day directories (<c>yyyy/MM/dd</c>) under <paramref name="dir"/>, newest first.</summary>
    private static IEnumerable<string> Days(string dir)
    {
        static IEnumerable<string> Down(string path) =>
            Directory.Exists(path) ? Directory.EnumerateDirectories(path).OrderDescending(StringComparer.Ordinal) : [];

        return Down(dir).SelectMany(Down).SelectMany(Down);
    }

    private static async Task<RunReport?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // A report being written, or damaged: it cannot be a baseline.
            return null;
        }
    }
}
