namespace GuidellmFunctions.Simulator.Serving;

/// <summary>What the server itself measured for one request, to check a client's measurements against.</summary>
/// <param name="RequestId">The client's <c>X-Request-Id</c>.</param>
/// <param name="Outcome"><c>ok</c> or the injected fault's name.</param>
/// <param name="QueueMs">Time in the engine's waiting queue before its first admission into the running batch.</param>
/// <param name="TtftMs">Arrival to the first content chunk flushed.</param>
/// <param name="ItlMeanMs">Mean gap between content chunk flushes.</param>
/// <param name="E2eMs">Arrival to the last byte flushed.</param>
/// <param name="PromptTokens">Prompt tokens counted.</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="ContentChunks">Content chunks sent.</param>
/// <param name="ArrivalTimestamp">
/// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the handler started: on Linux the monotonic clock every
/// process on the machine shares, so a client on the same machine can split its error into the request's way in and the
/// first token's way out.
/// </param>
/// <param name="FirstContentTimestamp">The same clock when the first content chunk was flushed; 0 when none was.</param>
/// <param name="CachedTokens">Prompt tokens the prefix cache held at admission (<c>usage.prompt_tokens_details.cached_tokens</c>).</param>
/// <param name="Preemptions">Times the engine preempted it for KV space and recomputed it.</param>
public sealed record GroundTruthRecord(string RequestId, string Outcome, double QueueMs, double TtftMs, double ItlMeanMs, double E2eMs, int PromptTokens, int OutputTokens, int ContentChunks, long ArrivalTimestamp = 0, long FirstContentTimestamp = 0, int CachedTokens = 0, int Preemptions = 0);
