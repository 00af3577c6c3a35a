using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// Makes the remote_write exporter of a run (its receivers and spool depend on the run's config and archive) over the
/// HttpClient the engine registers as <see cref="RemoteWriteClient.HttpClientName"/>. Registered by
/// <c>AddGuidellmEngine</c>.
/// </summary>
internal sealed class RemoteWriteExporterFactory(IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory? loggers = null)
{
    /// <summary>An exporter for <paramref name="receivers"/>, spooling to <paramref name="spool"/>, with <paramref name="layout"/>'s buckets.</summary>
    public RemoteWriteExporter Create(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool, HistogramLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        return new RemoteWriteExporter(receivers, spool, time, httpClients.CreateClient(RemoteWriteClient.HttpClientName), loggers, layout);
    }
}
