namespace GuidellmFunctions.Engine.Reporting;

/// <summary>What was read of the run's dataset (<c>dataset</c> at the top of the report).</summary>
/// <param name="Name">Its name in the config, when it has one.</param>
/// <param name="Location">Its path, or its URL with credentials masked.</param>
/// <param name="Format">Its format, as given or detected.</param>
/// <param name="Order"><c>sequential</c> or <c>shuffle</c>.</param>
/// <param name="Records">Records handed out as requests or conversations, over every stage.</param>
/// <param name="Malformed">Records skipped as malformed, each counted once.</param>
/// <param name="MalformedLines">The lines of the first malformed records.</param>
/// <param name="Filtered">Records skipped by <c>min_prompt_tokens</c> / <c>max_prompt_tokens</c> in the first pass.</param>
public sealed record DatasetReport(string? Name, string Location, string Format, string Order, long Records, long Malformed, IReadOnlyList<long> MalformedLines, long Filtered);
