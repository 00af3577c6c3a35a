using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>Creates a run's remote_write exporter for its receivers and spool; its other dependencies come from the container.</summary>
internal sealed class ExporterFactory(IServiceProvider services)
{
    public RemoteWriteExporter Create(IReadOnlyList<RemoteWriteConfig> receivers, ISampleSpool spool) =>
        ActivatorUtilities.CreateInstance<RemoteWriteExporter>(services, receivers, spool);
}
