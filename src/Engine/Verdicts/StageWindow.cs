using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>A stage's measured window cut into time blocks by send time.</summary>
/// <param name="Index">The stage's index in its run.</param>
/// <param name="StartMs">The window's start (the warmup's end), in ms from the stage start.</param>
/// <param name="LengthMs">The window's length.</param>
/// <param name="Blocks">Blocks the window is cut into.</param>
internal readonly record struct StageWindow(int Index, double StartMs, double LengthMs, int Blocks)
{
    /// <summary>Blocks at most per stage, whatever its length: the memory a verdict holds does not grow with the run.</summary>
    public const int MaxBlocks = 64;

    /// <summary>The window of <paramref name="stage"/>, in n^(2/3) blocks for n successful requests (a block length of n^(1/3)), at most <see cref="MaxBlocks"/>.</summary>
    public static StageWindow Of(BenchmarkReport stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var n = stage.Summary.Requests.Successful;
        var blocks = (int)Math.Clamp(Math.Round(Math.Pow(n, 2.0 / 3)), 1, MaxBlocks);
        return new StageWindow(stage.Index, stage.Profile.WarmupSeconds * 1000, Math.Max(1e-3, stage.MeasuredSeconds * 1000), blocks);
    }

    /// <summary>The block of a request sent at <paramref name="sentMs"/>.</summary>
    public int BlockOf(double sentMs) => (int)Math.Clamp(Math.Floor((sentMs - StartMs) / LengthMs * Blocks), 0, Blocks - 1);
}
