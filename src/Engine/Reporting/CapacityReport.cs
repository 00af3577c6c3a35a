namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The outcome of a capacity search (<c>capacity</c> at the report's top level; docs/metrics.md).</summary>
/// <param name="By"><c>concurrency</c> (streams) or <c>rate</c> (requests per second).</param>
/// <param name="Max">The highest load probed whose stage met the SLO; null when even the first probe failed.</param>
/// <param name="FirstFailing">The lowest load probed that failed; null when none failed within the probe cap.</param>
/// <param name="TargetAttainment">The SLO's attainment target each probe was held to.</param>
/// <param name="Probes">Every probe, in the order run.</param>
/// <param name="EndReason">Why the search stopped: <c>tolerance</c>, <c>first_probe_failed</c>, <c>max_probes</c> or <c>cancelled</c>.</param>
public sealed record CapacityReport(string By, double? Max, double? FirstFailing, double TargetAttainment, IReadOnlyList<CapacityProbe> Probes, string EndReason);
