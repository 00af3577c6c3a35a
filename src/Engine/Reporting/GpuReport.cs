namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The GPUs' figures over a stage from NVIDIA DCGM's exporter, read through the Prometheus source.</summary>
/// <param name="Count">GPUs the selector matched.</param>
/// <param name="UtilizationMean">Mean of <c>DCGM_FI_DEV_GPU_UTIL</c> over the stage and the GPUs, in percent.</param>
/// <param name="UtilizationMax">Highest <c>DCGM_FI_DEV_GPU_UTIL</c> seen, in percent.</param>
/// <param name="PowerWattsMean">Mean of the GPUs' summed <c>DCGM_FI_DEV_POWER_USAGE</c> over the stage, in watts.</param>
/// <param name="EnergyJoules">Energy the GPUs used over the stage: the difference of <c>DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION</c>, else mean power × stage length.</param>
/// <param name="EnergyPerOutputTokenJoules">Energy per output token the server generated (the runner's count when the server gives none).</param>
public sealed record GpuReport(int Count, double? UtilizationMean, double? UtilizationMax, double? PowerWattsMean, double? EnergyJoules, double? EnergyPerOutputTokenJoules);
