using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Slo;

namespace GuidellmFunctions.Engine.Tests.Slo;

/// <summary>Which requests conform: the request-level definition vLLM, aiperf and guidellm share.</summary>
public sealed class SloObjectivesTests
{
    private static readonly SloObjectives Slo = new(TtftMs: 100, ItlMs: 10, E2eMs: 1000, Attainment: 0.9);

    /// <summary>A request sent at 0 whose first token came at <paramref name="ttft"/> ms and last at <paramref name="last"/> ms, ending at <paramref name="e2e"/> ms.</summary>
    private static RequestResult Request(RequestStatus status, double ttft, double last, double e2e, int tokens)
    {
        const long PerMs = 1000;
        var result = new RequestResult { RequestId = "r", TimestampFrequency = PerMs * 1000, ScheduledTimestamp = 1, Status = status, UsageOutputTokens = tokens };
        result.SentTimestamp = 1;
        result.FirstContentTimestamp = tokens > 0 ? 1 + (long)(ttft * PerMs) : 0;
        result.LastContentTimestamp = tokens > 0 ? 1 + (long)(last * PerMs) : 0;
        result.EndTimestamp = 1 + (long)(e2e * PerMs);
        return result;
    }

    [Theory]
    [InlineData(RequestStatus.Successful, 100, 1090, 1000, 100, SloOutcome.Conforming)]
    [InlineData(RequestStatus.Successful, 100.5, 1090, 1000, 100, SloOutcome.NotConforming)]
    [InlineData(RequestStatus.Successful, 50, 1050, 1100, 100, SloOutcome.NotConforming)]
    [InlineData(RequestStatus.Successful, 50, 1100, 1100, 101, SloOutcome.NotConforming)]
    [InlineData(RequestStatus.Successful, 50, 50, 900, 1, SloOutcome.Conforming)]
    [InlineData(RequestStatus.Successful, 0, 0, 900, 0, SloOutcome.NotConforming)]
    [InlineData(RequestStatus.Failed, 10, 20, 30, 2, SloOutcome.NotConforming)]
    [InlineData(RequestStatus.Incomplete, 10, 20, 30, 2, SloOutcome.NotEvaluated)]
    public void A_request_conforms_when_it_meets_every_objective(RequestStatus status, double ttft, double last, double e2e, int tokens, SloOutcome expected)
    {
        Assert.Equal(expected, Slo.Evaluate(Request(status, ttft, last, e2e, tokens)));
    }

    [Fact]
    public void A_single_token_request_is_held_to_ttft_and_e2e_but_not_to_itl()
    {
        var slo = new SloObjectives(null, 1, null);

        Assert.Equal(SloOutcome.Conforming, slo.Evaluate(Request(RequestStatus.Successful, 500, 500, 5000, 1)));
        Assert.Equal(SloOutcome.NotConforming, slo.Evaluate(Request(RequestStatus.Successful, 500, 600, 5000, 2)));
    }

    [Fact]
    public void The_objectives_are_written_back_as_a_flag_would_give_them()
    {
        Assert.Equal("ttft_ms=100,itl_ms=10,e2e_ms=1000,attainment=0.9", Slo.ToString());
        Assert.Equal("e2e_ms=2.5,attainment=0.99", new SloObjectives(null, null, 2.5).ToString());
    }
}
