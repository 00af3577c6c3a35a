using System.Text.Json;
using GuidellmFunctions.Engine.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Keeps reports under a directory with the archive's layout; writes are atomic (temporary file, then rename).</summary>
internal sealed class LocalReportStore : IReportStore
{
    private readonly ILogger _logger;

    /// <summary>Creates a store rooted at <paramref name="root"/>.</summary>
    public LocalReportStore(string root, ILogger<LocalReportStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The root directory.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public Task<bool> HasRunAsync(string runId, string environment, string target, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(Path.Combine(Root, ReportLayout.RunMarkerPath(runId, environment, target))));

    /// <inheritdoc />
    public async Task<ReportSaveResult> SaveAsync(RunReport report, string? requestsFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var relative = ReportLayout.ReportPath(report);
        var path = Path.Combine(Root, relative);
        if (File.Exists(path))
        {
            Log.ReportExists(_logger, path, report.RunId);
            return new ReportSaveResult(path, Written: false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (requestsFile is not null && File.Exists(requestsFile))
        {
            var requestsPath = Path.Combine(Root, ReportLayout.RequestsPath(relative));
            if (!string.Equals(Path.GetFullPath(requestsFile), requestsPath, StringComparison.Ordinal))
            {
                File.Copy(requestsFile, requestsPath + ".tmp", overwrite: true);
                File.Move(requestsPath + ".tmp", requestsPath, overwrite: true);
            }

            report = report with { RequestsFile = Path.GetFileName(requestsPath) };
        }

        var temp = path + ".tmp";
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, report, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: false);
        var marker = Path.Combine(Root, ReportLayout.RunMarkerPath(report.RunId, report.Environment, report.Target));
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        await File.WriteAllTextAsync(marker, relative, CancellationToken.None).ConfigureAwait(false);
        Log.ReportWritten(_logger, path);
        return new ReportSaveResult(path, Written: true);
    }
}
