using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Data;

/// <summary>A dataset record made ready to send, off the dispatch path: its messages counted, its lengths chosen.</summary>
/// <param name="Index">Its position in the stage.</param>
/// <param name="Start">Messages before the first question (a system prompt).</param>
/// <param name="StartTokens">Their tokens.</param>
/// <param name="Turns">The questions sent, one per turn, with their answers' <c>max_tokens</c>.</param>
/// <param name="TimestampMs">A trace's arrival time; null for other records.</param>
/// <param name="QuestionJson">The first question as the record writes it (<see cref="DatasetRecord.QuestionJson"/>), when the item sends one question.</param>
internal sealed record DatasetItem(long Index, IReadOnlyList<ChatMessage> Start, int StartTokens, IReadOnlyList<UserTurn> Turns, double? TimestampMs, byte[]? QuestionJson = null);
