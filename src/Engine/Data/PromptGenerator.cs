using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Makes synthetic prompts of a requested length in tokens, counted with the cl100k_base tokenizer: a unique tag followed
/// by text cut from a corpus at a seeded random place, adjusted until the whole prompt counts exactly the target
/// (or within one token when a merge at the boundary makes exact impossible). Thread-safe.
/// </summary>
public sealed class PromptGenerator
{
    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));
    private static readonly Lazy<int[]> SharedCorpusIds = new(() =>
        [.. SharedTokenizer.Value.EncodeToIds(string.Join(' ', PromptCorpus.Text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)))]);

    private readonly Tokenizer _tokenizer;
    private readonly int[] _corpus;

    /// <summary>Creates a generator with the shared cl100k_base tokenizer (loaded once per process).</summary>
    public PromptGenerator()
    {
        _tokenizer = SharedTokenizer.Value;
        _corpus = SharedCorpusIds.Value;
    }

    /// <summary>Counts <paramref name="text"/>'s tokens.</summary>
    public int CountTokens(string text) => _tokenizer.CountTokens(text);

    /// <summary>
    /// A prompt of <paramref name="tokens"/> tokens beginning with <paramref name="tag"/> (dropped when it would take more than
    /// half the prompt), cut from the corpus at an offset
    /// drawn from <paramref name="random"/>. Returns the prompt and its actual token count.
    /// </summary>
    public (string Prompt, int Tokens) Generate(int tokens, string tag, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(random);
        var prefix = tag.Length == 0 ? string.Empty : tag + " ";
        var prefixTokens = prefix.Length == 0 ? 0 : _tokenizer.CountTokens(prefix);
        if (prefixTokens * 2 > tokens)
        {
            // A prompt this short cannot carry its tag and still hit its length.
            prefix = string.Empty;
            prefixTokens = 0;
        }

        var offset = random.Next(_corpus.Length);
        var take = Math.Max(0, tokens - prefixTokens);
        string prompt = prefix;
        var count = prefixTokens;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            prompt = prefix + Decode(offset, take);
            count = _tokenizer.CountTokens(prompt);
            if (count == tokens || take == 0)
            {
                break;
            }

            take = Math.Max(0, take + (tokens - count));
        }

        return (prompt, count);
    }

    private string Decode(int offset, int count)
    {
        if (count == 0)
        {
            return string.Empty;
        }

        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = _corpus[(offset + i) % _corpus.Length];
        }

        return _tokenizer.Decode(ids);
    }
}
