using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Slo;

/// <summary>Counts a stage's requests against its SLO in constant memory. Not thread-safe (the stage collector serializes).</summary>
internal sealed class SloTally(SloObjectives objectives)
{
    private long _evaluated;
    private long _conforming;
    private long _conformingTokens;

    /// <summary>Counts a request of the measured window.</summary>
    public void Add(RequestResult result)
    {
        switch (objectives.Evaluate(result))
        {
            case SloOutcome.Conforming:
                _evaluated++;
                _conforming++;
                _conformingTokens += result.OutputTokens;
                break;
            case SloOutcome.NotConforming:
                _evaluated++;
                break;
        }
    }

    /// <summary>The stage's <c>summary.slo</c> over a measured window of <paramref name="seconds"/>.</summary>
    public SloSummary Summarize(double seconds)
    {
        double? attainment = _evaluated > 0 ? _conforming / (double)_evaluated : null;
        return new SloSummary(objectives, _evaluated, _conforming, attainment, _conforming / seconds, _conformingTokens / seconds, attainment >= objectives.Attainment);
    }
}
