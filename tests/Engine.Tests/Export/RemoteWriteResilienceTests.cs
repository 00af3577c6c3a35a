using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Export;

/// <summary>The receiver policy's edges: what is not retried, attempt and total timeouts, and Retry-After's cap.</summary>
public sealed class RemoteWriteResilienceTests
{
    private static readonly byte[] Body = WriteRequestEncoder.Encode([new SeriesData(LabelSet.Build([new("__name__", "guidellm_requests_total"), new("target", "t")]), [(1_764_295_200_000, 1)])]);

    private static RemoteWriteConfig Config(Uri url) => new()
    {
        Url = url, MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxAttempts = 4, Timeout = TimeSpan.FromSeconds(5),
    };

    [Theory]
    [InlineData(408, "slow client")]
    [InlineData(500, "native histograms are disabled")]
    public async Task A_408_or_a_500_that_names_a_refusal_is_rejected_without_a_retry(int status, string body)
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(status, body: body);
        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Config(receiver.Url), TimeProvider.System).SendAsync(Body, CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryOutcome.Rejected, 1, $"HTTP {status}: {body}"), result);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_within_the_timeout_is_retried_then_reported()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromSeconds(5);
        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Config(receiver.Url) with { Timeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 }, TimeProvider.System).SendAsync(Body, CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryOutcome.Undeliverable, 2, "no answer within 0.2s"), result);
    }

    [Fact]
    public async Task Retrying_stops_at_the_total_time_with_the_last_failure_named()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            receiver.Then(503, body: "ingester unavailable");
        }

        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Config(receiver.Url) with { MaxAttempts = 100, MaxRetryTime = TimeSpan.FromMilliseconds(300) }, TimeProvider.System).SendAsync(Body, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Undeliverable, result.Outcome);
        Assert.InRange(result.Attempts, 2, 99);
        Assert.Equal("still failing after 0.3s: HTTP 503: ingester unavailable", result.Message);
    }

    [Fact]
    public async Task A_retry_after_longer_than_max_backoff_waits_max_backoff()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(429, retryAfter: "3600");
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        using var http = new HttpClient();

        var sending = new RemoteWriteClient(http, Config(receiver.Url), time).SendAsync(Body, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Requests.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        // The answer reaches the client a moment after the receiver records it: step the clock until the retry is sent.
        while (receiver.Requests.Count < 2 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(20);
        }

        var result = await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new DeliveryResult(DeliveryOutcome.Delivered, 2), result);
        Assert.InRange(time.GetUtcNow() - start, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
    }
}
