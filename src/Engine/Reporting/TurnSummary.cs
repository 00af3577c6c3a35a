using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The measured results of one turn index of a stage's conversations (<c>summary.turns[]</c>).</summary>
/// <param name="Turn">The turn index, from 0 (the conversation's first request).</param>
/// <param name="Requests">Requests of this turn in the window.</param>
/// <param name="PromptTokens">Prompt tokens of its successful requests: the whole history sent.</param>
/// <param name="OutputTokens">Output tokens of its successful requests.</param>
/// <param name="TtftMs">Time to first token of its successful requests.</param>
/// <param name="ItlMs">Inter-token gaps of its successful requests.</param>
/// <param name="TpotMs">Time per output token of its successful requests.</param>
/// <param name="E2eLatencyMs">End-to-end latency of its successful requests.</param>
public sealed record TurnSummary(int Turn, RequestCounts Requests, long PromptTokens, long OutputTokens, DistributionSummary TtftMs, DistributionSummary ItlMs, DistributionSummary TpotMs, DistributionSummary E2eLatencyMs);
