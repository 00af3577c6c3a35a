using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>An on-demand run, as carried by a queue message.</summary>
/// <param name="RunId">Run id: the message's, or one derived from the message id.</param>
/// <param name="Environment">Environment to run.</param>
/// <param name="Targets">Targets to run; empty for all of the environment.</param>
/// <param name="Overrides">Settings applied over the config's.</param>
/// <param name="RequestedBy">Who asked, for the record.</param>
public sealed record RunRequest(string RunId, string Environment, IReadOnlyList<string> Targets, BenchmarkSettingsPatch Overrides, string? RequestedBy);
