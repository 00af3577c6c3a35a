using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Makes synthetic prompts of a requested length in tokens, counted with the cl100k_base tokenizer: a unique tag followed
/// by text cut from a corpus at a seeded random place. The length is exact: the corpus is indexed once
/// (<see cref="CorpusIndex"/>) so a prompt is sized without tokenizing it; a tag that ends in whitespace, or a prompt too
/// short to carry its tag, is sized by tokenizing instead (within one token when a merge at the boundary makes exact
/// impossible). Thread-safe.
/// </summary>
internal sealed class PromptGenerator
{
    private static readonly Lazy<Tokenizer> SharedTokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));
    private static readonly Lazy<PieceRanks> SharedRanks = new(() => PieceRanks.Build(SharedTokenizer.Value));
    private static readonly Lazy<CorpusIndex> SharedIndex = new(() => CorpusIndex.Build(SharedTokenizer.Value, PromptCorpus.Text));
    private static readonly Lazy<RequestTagCounter> SharedTags = new(() => RequestTagCounter.Build(SharedTokenizer.Value));
    private static readonly Lazy<int[]> SharedCorpusIds = new(() => [.. SharedTokenizer.Value.EncodeToIds(SharedIndex.Value.Unit.TrimStart())]);

    private readonly Tokenizer _tokenizer;
    private readonly CorpusIndex _index;
    private readonly RequestTagCounter _tags;
    private readonly int[] _corpus;

    /// <summary>Creates a generator with the shared cl100k_base tokenizer (loaded once per process).</summary>
    public PromptGenerator()
    {
        _tokenizer = SharedTokenizer.Value;
        _index = SharedIndex.Value;
        _tags = SharedTags.Value;
        _corpus = SharedCorpusIds.Value;
    }

    /// <summary>Counts <paramref name="text"/>'s tokens.</summary>
    public int CountTokens(string text) => _tokenizer.CountTokens(text);

    /// <summary>Counts <paramref name="text"/>'s tokens up to <paramref name="atMost"/>: a longer text gives <paramref name="atMost"/> + 1, and costs no more to count.</summary>
    public int CountTokens(string text, int atMost)
    {
        ArgumentNullException.ThrowIfNull(text);
        var end = _tokenizer.GetIndexByTokenCount(text, atMost, out _, out var count);
        return end < text.Length ? atMost + 1 : count;
    }

    /// <summary>A counter of its own for one reading thread: the same counts as <see cref="CountTokens(string)"/>, cheaper on long texts.</summary>
    public TokenCounter NewCounter() => new(_tokenizer, SharedRanks.Value);

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
        return tag.Length > 0 && !char.IsWhiteSpace(tag[^1])
            ? Indexed(tokens, tag, _tokenizer.CountTokens(tag), random)
            : Tokenized(tokens, tag, random);
    }

    /// <summary>
    /// <see cref="Generate(int, string, Random)"/> with the tag <c>[stage-index]</c>, whose tokens are counted without
    /// tokenizing it (the request source's tag, made for every request).
    /// </summary>
    public (string Prompt, int Tokens) Generate(int tokens, int stage, long index, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentNullException.ThrowIfNull(random);
        return Indexed(tokens, RequestTagCounter.Format(stage, index), _tags.Count(stage, index), random);
    }

    /// <summary>
    /// A shared prefix of <paramref name="tokens"/> tokens cut from the corpus at a place drawn from <paramref name="random"/>,
    /// ending in a letter, so that a prompt of <see cref="Generate(int, int, long, Random)"/> put after it adds exactly its own
    /// tokens (its tag's bracket cannot merge with a letter).
    /// </summary>
    public (string Text, int Tokens) Prefix(int tokens, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentNullException.ThrowIfNull(random);
        for (var attempt = 0; attempt < 64; attempt++)
        {
            if (_index.TryFind(tokens, random, out var start, out var end) && char.IsLetter(_index.Unit[(int)((end - 1) % _index.Unit.Length)]))
            {
                return (_index.Compose(string.Empty, start, end), tokens);
            }
        }

        var (text, count) = Tokenized(tokens, string.Empty, random);
        return (text, count);
    }

    private (string Prompt, int Tokens) Indexed(int tokens, string tag, int tagTokens, Random random) =>
        tagTokens * 2 <= tokens && _index.TryFind(tokens - tagTokens, random, out var start, out var end)
            ? (_index.Compose(tag, start, end), tokens)
            : Tokenized(tokens, tag, random);

    private (string Prompt, int Tokens) Tokenized(int tokens, string tag, Random random)
    {
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
