namespace GuidellmFunctions.Engine.ServerMetrics.Exposition;

/// <summary>Bounds on what one parse may hold, so a hostile or broken server cannot make the runner allocate without end.</summary>
/// <param name="MaxLineChars">Longest line read; a longer one is a bad line.</param>
/// <param name="MaxSamples">Samples kept at most; the parse stops (truncated) beyond.</param>
/// <param name="MaxLabels">Labels per sample at most; more make the line bad.</param>
/// <param name="MaxProblems">Bad lines described in <see cref="ExpositionDocument.Problems"/> at most.</param>
internal sealed record ExpositionLimits(int MaxLineChars = 64 * 1024, int MaxSamples = 200_000, int MaxLabels = 64, int MaxProblems = 5)
{
    /// <summary>The limits a server's <c>/metrics</c> is read with.</summary>
    public static ExpositionLimits Default { get; } = new();
}
