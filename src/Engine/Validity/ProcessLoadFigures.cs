using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Validity;

/// <summary>What <see cref="RunnerLoadProbe"/> measured over a stage.</summary>
/// <param name="ProcessCpuShare">Process CPU time / (wall time × cores); null when no time passed.</param>
/// <param name="MachineCpuShare">The machine's busy share; null where /proc/stat is not readable.</param>
/// <param name="Cores">Cores the process may use.</param>
/// <param name="ThreadPoolLag">Thread-pool lateness of the probe's work items; null without samples.</param>
internal sealed record ProcessLoadFigures(double? ProcessCpuShare, double? MachineCpuShare, int Cores, LagSummary? ThreadPoolLag);
