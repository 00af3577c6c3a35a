using BenchmarkDotNet.Attributes;
using GuidellmFunctions.Benchmarks.Scenarios;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Benchmarks.Micro;

/// <summary>One target's whole push after a 1,000-request burst (snapshot, protobuf, snappy) in each histogram layout.</summary>
[MemoryDiagnoser]
public class PushEncodingBenchmarks
{
    private BurstMetrics _burst = null!;

    /// <summary>The histogram layout.</summary>
    [Params("Go runner buckets (before)", "fine buckets (default)", "fine buckets + native histograms")]
    public string Layout { get; set; } = string.Empty;

    /// <summary>The burst in <see cref="Layout"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (_, layout, native) = PushPayload.Layouts.Single(l => l.Name == Layout);
        _burst = PushPayload.Burst(layout, native);
    }

    /// <summary>The snapshot, protobuf and snappy of every body of one push.</summary>
    [Benchmark]
    public int Push() => PushPayload.Push(_burst, 1_764_295_200_000).Sum(b => WriteRequestEncoder.Compress(b).Length);
}
