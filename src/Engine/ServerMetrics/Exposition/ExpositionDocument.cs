namespace GuidellmFunctions.Engine.ServerMetrics.Exposition;

/// <summary>What <see cref="ExpositionParser"/> read from a text exposition.</summary>
/// <param name="Samples">The samples kept, in document order.</param>
/// <param name="SampleLines">Sample lines seen (kept or not).</param>
/// <param name="BadLines">Lines that were not valid exposition text, skipped.</param>
/// <param name="Problems">The first few bad lines, each with its line number and why.</param>
/// <param name="Truncated">True when a limit stopped the parse early (the rest of the text ignored).</param>
internal sealed record ExpositionDocument(IReadOnlyList<ExpositionSample> Samples, int SampleLines, int BadLines, IReadOnlyList<string> Problems, bool Truncated)
{
    /// <summary>True when the text held at least one valid sample line and more valid sample lines than bad ones.</summary>
    public bool LooksLikeExposition => SampleLines > 0 && SampleLines >= BadLines;
}
