using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Load;

public sealed class TargetRefusesBreakerTests
{
    private static RequestResult Failed(FailureReason reason, int status, string error = "HTTP 404: The model `x` does not exist.") =>
        new() { RequestId = "r", Status = RequestStatus.Failed, Reason = reason, HttpStatus = status, Error = error };

    private static RequestResult Ok() => new() { RequestId = "r", Status = RequestStatus.Successful };

    [Fact]
    public void The_first_requests_failing_alike_with_a_4xx_trip_it_on_the_fifth_with_the_first_message()
    {
        var breaker = new TargetRefusesBreaker();
        for (var i = 1; i < TargetRefusesBreaker.FirstRequests; i++)
        {
            Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 404, i == 1 ? "HTTP 404: first" : "HTTP 404: later")));
        }

        var stop = breaker.Observe(Failed(FailureReason.Http4xx, 404));
        Assert.NotNull(stop);
        Assert.Equal("target_refuses", stop.Reason);
        Assert.Contains("HTTP 404: first", stop.Detail, StringComparison.Ordinal);
        Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 404)));
    }

    [Fact]
    public void Refused_connections_trip_it()
    {
        var breaker = new TargetRefusesBreaker();
        StageStop? stop = null;
        for (var i = 0; i < TargetRefusesBreaker.FirstRequests; i++)
        {
            stop = breaker.Observe(Failed(FailureReason.Connection, 0, "Connection refused (ConnectionRefused)"));
        }

        Assert.NotNull(stop);
    }

    [Theory]
    [InlineData(FailureReason.Http429, 429)]
    [InlineData(FailureReason.Http5xx, 503)]
    [InlineData(FailureReason.Timeout, 0)]
    public void Load_signals_alone_never_trip_it(FailureReason reason, int status)
    {
        var breaker = new TargetRefusesBreaker();
        for (var i = 0; i < 200; i++)
        {
            Assert.Null(breaker.Observe(Failed(reason, status, "HTTP 503: busy")));
        }
    }

    [Fact]
    public void Mixed_failures_with_a_refusal_and_no_success_trip_it_at_the_consecutive_limit()
    {
        var breaker = new TargetRefusesBreaker();
        Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 400)));
        for (var i = 2; i < TargetRefusesBreaker.ConsecutiveFailures; i++)
        {
            Assert.Null(breaker.Observe(Failed(i % 2 == 0 ? FailureReason.Http5xx : FailureReason.Http4xx, i % 2 == 0 ? 500 : 400)));
        }

        Assert.NotNull(breaker.Observe(Failed(FailureReason.Http5xx, 500)));
    }

    [Fact]
    public void After_one_success_it_never_trips()
    {
        var breaker = new TargetRefusesBreaker();
        Assert.Null(breaker.Observe(Ok()));
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 400)));
        }
    }

    [Fact]
    public void Different_causes_among_the_first_requests_do_not_trip_the_first_rule()
    {
        var breaker = new TargetRefusesBreaker();
        Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 400)));
        for (var i = 1; i < TargetRefusesBreaker.FirstRequests; i++)
        {
            Assert.Null(breaker.Observe(Failed(FailureReason.Http4xx, 404)));
        }
    }
}
