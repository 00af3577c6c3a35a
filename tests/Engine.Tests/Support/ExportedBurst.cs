using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Simulator;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>One real burst against the simulator with its series exported, as the export tests run it.</summary>
internal static class ExportedBurst
{
    /// <summary>Runs <paramref name="settings"/> against <paramref name="server"/> as <c>environment/target</c>, exported by <paramref name="exporter"/>.</summary>
    public static async Task<RunReport> RunAsync(TargetTransportFactory clients, string dir, SimulatorServer server, BenchmarkSettings settings, RemoteWriteExporter exporter, string runId, string environment = "dev", string target = "sim")
    {
        var resolved = new ResolvedTarget(environment, new TargetConfig { Name = target, Url = server.V1, Model = server.Options.Model }, settings);
        var results = await new RunCoordinator(new LoadTestRunner(clients, new PromptGenerator(), TimeProvider.System))
            .RunAsync([resolved], runId, RunTrigger.Cli, new LocalReportStore(Path.Combine(dir, "out")), Path.Combine(dir, "staging"), t => [exporter.ForTarget(t)], CancellationToken.None);
        return results[0].Report;
    }
}
