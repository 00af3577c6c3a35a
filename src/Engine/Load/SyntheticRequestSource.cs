using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Synthetic requests per the target's data spec. Request <c>i</c> of stage <c>s</c> is drawn from its own generator seeded
/// by (seed, s, i), so the same config sends the same prompts whatever the interleaving of workers.
/// </summary>
internal sealed class SyntheticRequestSource : IRequestSource
{
    private readonly ResolvedTarget _target;
    private readonly PromptGenerator _prompts;
    private readonly string _runId;
    private readonly Uri _endpoint;

    /// <summary>Creates a source for <paramref name="target"/> in run <paramref name="runId"/>.</summary>
    public SyntheticRequestSource(ResolvedTarget target, PromptGenerator prompts, string runId)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(runId);
        _target = target;
        _prompts = prompts;
        _runId = runId;
        _endpoint = target.Endpoint;
    }

    /// <inheritdoc />
    public PreparedRequest Prepare(int stage, long index)
    {
        var settings = _target.Settings;
        var random = new Random(Mix(settings.Seed, stage, index));
        var promptTarget = settings.Data.PromptTokens.Sample(random);
        var output = settings.Data.OutputTokens.Sample(random);
        if (settings.MaxTokens is { } cap)
        {
            output = Math.Min(output, cap);
        }

        var requestId = $"{_runId}-{stage}-{index}";
        var (prompt, promptTokens) = _prompts.Generate(promptTarget, stage, index, random);
        var body = RequestBodyBuilder.Build(settings.RequestType, _target.Target.Model, prompt, output, settings.IgnoreEos);
        var request = new CompletionRequest(_endpoint, body, requestId, _target.Target.ApiKey, _target.Target.ApiKeyHeader, _target.Target.Headers);
        return new PreparedRequest(request, promptTokens, output);
    }

    private static int Mix(int seed, int stage, long index)
    {
        // SplitMix64 finalizer: stable across processes, unlike HashCode.Combine.
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)stage << 40) ^ (ulong)index;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)(z ^ (z >> 31));
        }
    }
}
