using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Export;

public sealed class RemoteWriteClientTests
{
    private static readonly SeriesData Series = new(
        LabelSet.Build([new("__name__", "guidellm_requests_total"), new("target", "t"), new("environment", "dev"), new("model", "m")]),
        [(1_700_000_000_000, 0), (1_700_000_015_000, 12)]);

    private static RemoteWriteConfig Fast(Uri url) => new()
    {
        Url = url, MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(200), MaxAttempts = 4, Timeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Sends_the_protocol_headers_auth_and_a_snappy_protobuf_body()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        using var http = new HttpClient();
        var config = Fast(receiver.Url) with
        {
            BasicAuthUsername = "runner", BasicAuthPassword = new Secret("pw-123456"),
            Headers = new Dictionary<string, Secret> { ["X-Scope-OrgID"] = new("tenant-a") },
        };

        var result = await new RemoteWriteClient(http, config, TimeProvider.System).SendAsync(WriteRequestEncoder.Encode([Series]), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var (headers, series, _) = Assert.Single(receiver.Requests);
        Assert.Equal("snappy", headers.ContentEncoding.ToString());
        Assert.Equal("application/x-protobuf", headers.ContentType.ToString());
        Assert.Equal("0.1.0", headers["X-Prometheus-Remote-Write-Version"].ToString());
        Assert.StartsWith("guidellm-runner/", headers.UserAgent.ToString(), StringComparison.Ordinal);
        Assert.Equal("Basic " + Convert.ToBase64String("runner:pw-123456"u8.ToArray()), headers.Authorization.ToString());
        Assert.Equal("tenant-a", headers["X-Scope-OrgID"].ToString());
        var s = Assert.Single(series);
        Assert.Equal(["__name__", "environment", "model", "target"], s.Labels.Select(l => l.Key));
        Assert.Equal([(1_700_000_000_000L, 0.0), (1_700_000_015_000L, 12.0)], s.Samples);
    }

    [Fact]
    public async Task Retries_500_and_429_with_retry_after_then_delivers()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(500, body: "try later");
        receiver.Then(429, retryAfter: "0");
        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Fast(receiver.Url) with { BearerToken = new Secret("tok-987654") }, TimeProvider.System).SendAsync(WriteRequestEncoder.Encode([Series]), CancellationToken.None);

        Assert.Equal(new DeliveryResult(DeliveryOutcome.Delivered, 3), result);
        Assert.All(receiver.Requests, r => Assert.Equal("Bearer tok-987654", r.Headers.Authorization.ToString()));
    }

    [Fact]
    public async Task A_400_is_rejected_at_once_with_the_receivers_reason()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        receiver.Then(400, body: "out of order sample");
        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Fast(receiver.Url), TimeProvider.System).SendAsync(WriteRequestEncoder.Encode([Series]), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.Equal(1, result.Attempts);
        Assert.Equal("HTTP 400: out of order sample", result.Message);
    }

    [Fact]
    public async Task A_receiver_that_is_down_is_undeliverable_after_the_retry_budget()
    {
        var port = LoopbackPorts.Free();
        using var http = new HttpClient();

        var result = await new RemoteWriteClient(http, Fast(new Uri($"http://127.0.0.1:{port}/api/v1/write")), TimeProvider.System).SendAsync(WriteRequestEncoder.Encode([Series]), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Undeliverable, result.Outcome);
        Assert.Equal(4, result.Attempts);
        Assert.Contains("refused", result.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Labels_are_sorted_and_invalid_ones_are_named()
    {
        var labels = LabelSet.Build([new("z", "1"), new("__name__", "m"), new("a", "2"), new("empty", "")]);
        Assert.Equal(["__name__", "a", "z"], labels.Select(l => l.Key));

        var ex = Assert.Throws<ArgumentException>(() => LabelSet.Build([new("__name__", "m"), new("1bad", "x"), new("a", "1"), new("a", "2")]));
        Assert.Contains("invalid label name '1bad'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("duplicate label name 'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stale_marker_has_prometheus_bits()
    {
        Assert.Equal(0x7ff0000000000002, BitConverter.DoubleToInt64Bits(StaleMarker.Value));
        Assert.True(StaleMarker.Is(StaleMarker.Value));
        Assert.False(StaleMarker.Is(double.NaN));
    }
}
