using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>
/// A host's own check of the config, run at start by the engine's options validation on the config it has just loaded
/// and validated, so the config is read once and every problem, the engine's and the host's, is reported together.
/// </summary>
public interface IRunnerConfigCheck
{
    /// <summary>What is wrong with <paramref name="config"/> for this host; empty when nothing is.</summary>
    IEnumerable<string> Check(RunnerConfig config);
}
