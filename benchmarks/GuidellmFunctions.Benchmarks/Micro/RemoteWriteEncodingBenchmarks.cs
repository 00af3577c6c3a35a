using BenchmarkDotNet.Attributes;
using GuidellmFunctions.Benchmarks.Scenarios;
using GuidellmFunctions.Engine.Export;

namespace GuidellmFunctions.Benchmarks.Micro;

/// <summary>Encoding one remote_write request of 500 samples (the default max_samples_per_request) and compressing it.</summary>
[MemoryDiagnoser]
public class RemoteWriteEncodingBenchmarks
{
    private List<SeriesData> _series = [];

    /// <summary>100 series of 5 samples.</summary>
    [GlobalSetup]
    public void Setup() => _series = EncodingScenario.Series(seriesCount: 100, samplesPerSeries: 5);

    /// <summary>Protobuf then snappy, as each push does.</summary>
    [Benchmark]
    public byte[] EncodeAndCompress() => WriteRequestEncoder.Compress(WriteRequestEncoder.Encode(_series));
}
