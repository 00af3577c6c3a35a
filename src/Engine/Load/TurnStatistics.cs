using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// A stage's statistics per turn index of its conversations, in bounded memory: one set of distributions per index up to
/// <see cref="MaxTurns"/>; later turns share the last. Not thread-safe (the stage collector holds its lock).
/// </summary>
internal sealed class TurnStatistics
{
    /// <summary>Turn indexes kept apart; a dataset's longer conversations share the last one.</summary>
    public const int MaxTurns = 100;

    private readonly List<Turn> _turns = [];

    /// <summary>Adds a measured request; single requests (no turn) are not counted here.</summary>
    public void Record(RequestResult result)
    {
        if (result.Turn is not { } index)
        {
            return;
        }

        index = Math.Min(index, MaxTurns - 1);
        while (_turns.Count <= index)
        {
            _turns.Add(new Turn());
        }

        var turn = _turns[index];
        switch (result.Status)
        {
            case RequestStatus.Successful:
                turn.Successful++;
                turn.PromptTokens += result.PromptTokens;
                turn.OutputTokens += result.OutputTokens;
                turn.E2e.Record(result.E2eMs);
                if (result.TtftMs is { } ttft)
                {
                    turn.Ttft.Record(ttft);
                }

                if (result.TpotMs is { } tpot)
                {
                    turn.Tpot.Record(tpot);
                }

                foreach (var gap in result.ItlMicros)
                {
                    turn.Itl.Record(gap / 1000.0);
                }

                break;
            case RequestStatus.Failed:
                turn.Failed++;
                break;
            default:
                turn.Incomplete++;
                break;
        }
    }

    /// <summary>One entry per turn index seen; null when the stage had no conversation.</summary>
    public IReadOnlyList<TurnSummary>? Summarize() => _turns.Count == 0 ? null :
        [.. _turns.Select((t, i) => new TurnSummary(
            i,
            new RequestCounts(t.Successful + t.Failed + t.Incomplete, t.Successful, t.Failed, t.Incomplete),
            t.PromptTokens,
            t.OutputTokens,
            t.Ttft.Summarize(),
            t.Itl.Summarize(),
            t.Tpot.Summarize(),
            t.E2e.Summarize()))];

    private sealed class Turn
    {
        public Distribution Ttft { get; } = new();

        public Distribution Itl { get; } = new();

        public Distribution Tpot { get; } = new();

        public Distribution E2e { get; } = new();

        public long Successful { get; set; }

        public long Failed { get; set; }

        public long Incomplete { get; set; }

        public long PromptTokens { get; set; }

        public long OutputTokens { get; set; }
    }
}
