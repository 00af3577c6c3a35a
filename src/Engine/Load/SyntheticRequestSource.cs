using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Synthetic requests per the target's data spec. Request <c>i</c> of stage <c>s</c> is drawn from its own generator seeded
/// by (seed, s, i), so the same config sends the same prompts whatever the interleaving of workers. With
/// <c>prefix_tokens</c>, request i's prompt starts with shared prefix i mod <c>prefix_count</c> (the same bytes for every
/// request of that group, made once); with <c>turns</c> above 1, request i opens a conversation of that many turns.
/// </summary>
internal sealed class SyntheticRequestSource : IRequestSource
{
    private readonly ResolvedTarget _target;
    private readonly PromptGenerator _prompts;
    private readonly string _runId;
    private readonly Uri _endpoint;
    private readonly Lazy<(string Text, int Tokens)>[] _prefixes;

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
        var data = target.Settings.Data;
        _prefixes = data.PrefixTokens > 0
            ? [.. Enumerable.Range(0, data.PrefixCount).Select(k => new Lazy<(string, int)>(() => prompts.Prefix(data.PrefixTokens, new Random(Mix(target.Settings.Seed, -1, k)))))]
            : [];
    }

    /// <inheritdoc />
    public PreparedRequest Prepare(int stage, long index)
    {
        var settings = _target.Settings;
        var random = new Random(Mix(settings.Seed, stage, index));
        var promptTarget = settings.Data.PromptTokens.Sample(random);
        var output = OutputTokens(random);
        var requestId = $"{_runId}-{stage}-{index}";
        var (prompt, promptTokens) = _prompts.Generate(promptTarget, stage, index, random);
        if (_prefixes.Length > 0)
        {
            var (prefix, prefixTokens) = _prefixes[index % _prefixes.Length].Value;
            (prompt, promptTokens) = (prefix + prompt, prefixTokens + promptTokens);
        }

        if (settings.Data.Turns > 1)
        {
            var first = new UserTurn(prompt, promptTokens, output);
            var conversation = new ChatConversation(requestId, _target, requestId, [], 0, settings.Data.Turns, turn => turn == 0 ? first : Question(stage, index, turn));
            return conversation.First();
        }

        var body = RequestBodyBuilder.Build(settings.RequestType, _target.Target.Model, prompt, output, settings.IgnoreEos);
        var request = new CompletionRequest(_endpoint, body, requestId, _target.Credential, _target.CredentialHeader, _target.Target.Headers);
        return new PreparedRequest(request, promptTokens, output);
    }

    /// <summary>Turn <paramref name="turn"/>'s question of conversation <paramref name="index"/>: drawn from its own seed, tagged with the turn.</summary>
    private UserTurn Question(int stage, long index, int turn)
    {
        var random = new Random(Mix(_target.Settings.Seed, stage, index) ^ (turn * 0x2545F491));
        var tokens = _target.Settings.Data.PromptTokens.Sample(random);
        var output = OutputTokens(random);
        var (text, count) = _prompts.Generate(tokens, $"[{stage}-{index}-{turn}]", random);
        return new UserTurn(text, count, output);
    }

    private int OutputTokens(Random random)
    {
        var output = _target.Settings.Data.OutputTokens.Sample(random);
        return _target.Settings.MaxTokens is { } cap ? Math.Min(output, cap) : output;
    }

    internal static int Mix(int seed, int stage, long index)
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
