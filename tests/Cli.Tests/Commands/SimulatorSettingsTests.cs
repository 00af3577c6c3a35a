using GuidellmFunctions.Cli.Tests.Support;

namespace GuidellmFunctions.Cli.Tests.Commands;

/// <summary>The simulated server's settings on <c>simulate</c> and <c>demo</c>: documented defaults, every bad value named at once.</summary>
public sealed class SimulatorSettingsTests : IDisposable
{
    private readonly StringWriter _out = new();

    public void Dispose() => _out.Dispose();

    [Theory]
    [InlineData("simulate")]
    [InlineData("demo")]
    public async Task Help_lists_every_engine_setting_with_the_one_gpu_defaults(string verb)
    {
        Assert.Equal(0, await CliInvoker.RunAsync(_out, CancellationToken.None, verb, "--help"));

        var help = _out.ToString();
        foreach (var expected in (string[])["--ttft-ms", "--prefill-ms-per-token", "--itl-ms", "--itl-load-factor", "--max-batch", "--max-batched-tokens", "--kv-cache-tokens", "--block-size", "--prefix-caching", "--max-model-len", "--metrics-names", "--tokens-per-chunk", "--output-tokens", "--fault", "[default: 400000]", "[default: 0.03]", "[default: 8192]", "[default: v1]"])
        {
            Assert.Contains(expected, help, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("simulate")]
    [InlineData("demo")]
    public async Task Every_bad_setting_is_named_at_once_and_nothing_starts(string verb)
    {
        var exit = await CliInvoker.RunAsync(_out, CancellationToken.None, verb, "--ttft-ms", "-1", "--max-batch", "0", "--kv-cache-tokens", "20000", "--max-model-len", "40000", "--fault", "explode=0.5");

        Assert.Equal(2, exit);
        var text = _out.ToString();
        Assert.Contains("ttft-ms must be a finite number of at least 0 (got -1)", text, StringComparison.Ordinal);
        Assert.Contains("max-batch must be at least 1 (got 0)", text, StringComparison.Ordinal);
        Assert.Contains("max-model-len (40000) is larger than the KV cache (20000 tokens)", text, StringComparison.Ordinal);
        Assert.Contains("unknown fault kind 'explode'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", text, StringComparison.OrdinalIgnoreCase);
    }
}
