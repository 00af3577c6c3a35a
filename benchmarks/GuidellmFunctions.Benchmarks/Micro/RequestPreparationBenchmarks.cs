using BenchmarkDotNet.Attributes;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Benchmarks.Micro;

/// <summary>
/// Building one synthetic request ahead of its send time, as every request of a run is built: lengths drawn, a prompt of
/// exactly the drawn tokens cut from the corpus and tagged, the JSON body serialized. It runs on the dispatcher, so its
/// cost is spent between sends at high rates.
/// </summary>
[MemoryDiagnoser]
public class RequestPreparationBenchmarks
{
    private SyntheticRequestSource _source = null!;
    private long _index;

    /// <summary>Prompt tokens (guidellm's default is 256).</summary>
    [Params(16, 256, 1024)]
    public int PromptTokens { get; set; }

    /// <summary>A chat-completions target with a fixed prompt length and 128 output tokens.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var settings = new BenchmarkSettings { Data = new DataSpec(new TokenDistribution(PromptTokens), new TokenDistribution(128)) };
        var target = new ResolvedTarget("bench", new TargetConfig { Name = "server", Url = new Uri("http://127.0.0.1:8000/v1"), Model = "meta-llama/Llama-3.1-8B-Instruct" }, settings);
        _source = new SyntheticRequestSource(target, new PromptGenerator(), "20261128T000000Z-0a1b2c3d");
    }

    /// <summary>Prepares the next request of stage 1.</summary>
    [Benchmark]
    public object Prepare() => _source.Prepare(1, _index++);
}
