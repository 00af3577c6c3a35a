namespace GuidellmFunctions.Simulator.Serving;

/// <summary>What the server itself measured for one request, to check a client's measurements against.</summary>
/// <param name="RequestId">The client's <c>X-Request-Id</c>.</param>
/// <param name="Outcome"><c>ok</c> or the injected fault's name.</param>
/// <param name="QueueMs">Wait for a batch slot.</param>
/// <param name="TtftMs">Arrival to the first content chunk flushed.</param>
/// <param name="ItlMeanMs">Mean gap between content chunk flushes.</param>
/// <param name="E2eMs">Arrival to the last byte flushed.</param>
/// <param name="PromptTokens">Prompt tokens counted.</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="ContentChunks">Content chunks sent.</param>
public sealed record GroundTruthRecord(string RequestId, string Outcome, double QueueMs, double TtftMs, double ItlMeanMs, double E2eMs, int PromptTokens, int OutputTokens, int ContentChunks);
