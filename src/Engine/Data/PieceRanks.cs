using System.Text;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// The merge ranks of a tiktoken vocabulary, to count the tokens of one piece (a pre-tokenized word) by byte pair encoding:
/// a piece that is itself a token counts 1; otherwise its bytes start apart and the adjacent pair whose joined bytes have
/// the lowest rank is joined, the leftmost first on a tie, until no joined pair is a token; the parts left are its tokens.
/// The tokenizer's own count of a piece does the same through a locked cache and allocations that cost microseconds;
/// this costs about the lookups. Only pieces of ASCII characters are counted here: every part of their merges is an ASCII
/// token, all of which the tokenizer's public vocabulary holds as strings (a token that is part of a multi-byte character
/// is not a string); other pieces are left to the tokenizer. Read-only after it is built: safe to share between threads.
/// </summary>
internal sealed class PieceRanks
{
    /// <summary>The longest piece counted here; a longer one is left to the tokenizer.</summary>
    public const int MaxChars = 256;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // The ranks of the tokens of at most ShortPieces.MaxChars characters, which most lookups of a merge ask for; null when
    // one of them found no slot, as every one must be held for a miss to mean "not a token".
    private readonly ShortPieces? _short;

    private PieceRanks(Dictionary<string, int> ranks)
    {
        _lookup = ranks.GetAlternateLookup<ReadOnlySpan<char>>();
        var packed = ranks.Select(r => (Packed: ShortPieces.TryPack(r.Key, out var key), Key: key, Rank: r.Value)).Where(r => r.Packed).ToList();
        _short = new ShortPieces(packed.Count);
        if (!packed.All(r => _short.Add(r.Key, r.Rank)))
        {
            _short = null;
        }
    }

    /// <summary>Whether the short tokens' ranks are looked up in a <see cref="ShortPieces"/> table (every one found a slot).</summary>
    internal bool HasShortTable => _short is not null;

    /// <summary>
    /// The ranks of <paramref name="tokenizer"/>'s tokens of ASCII characters (every part of an ASCII piece's merges is one
    /// of them). A tiktoken token's id is its rank; the ids below the first special token are the vocabulary.
    /// </summary>
    public static PieceRanks Build(Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var end = tokenizer is TiktokenTokenizer { SpecialTokens: { Count: > 0 } special } ? special.Values.Min() : throw new ArgumentException("a tiktoken tokenizer with special tokens is needed", nameof(tokenizer));
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < end; id++)
        {
            if (tokenizer.Decode([id]) is { Length: > 0 } token && Ascii.IsValid(token))
            {
                ranks[token] = id;
            }
        }

        return new PieceRanks(ranks);
    }

    /// <summary>The tokens of <paramref name="piece"/>, or -1 when it is not ASCII or is longer than <see cref="MaxChars"/>.</summary>
    public int Count(ReadOnlySpan<char> piece) => piece.Length <= MaxChars && Ascii.IsValid(piece) ? Merge(piece) : -1;

    private int Merge(ReadOnlySpan<char> bytes)
    {
        if (bytes.Length <= 1 || Rank(bytes, 0, bytes.Length) != int.MaxValue)
        {
            return bytes.Length == 0 ? 0 : 1;
        }

        // starts[i] is where part i begins (starts[parts] the end); ranks[i] the rank of part i joined with part i + 1.
        Span<int> starts = stackalloc int[bytes.Length + 1];
        Span<int> ranks = stackalloc int[bytes.Length];
        var parts = bytes.Length;
        for (var i = 0; i <= parts; i++)
        {
            starts[i] = i;
        }

        for (var i = 0; i + 1 < parts; i++)
        {
            ranks[i] = Rank(bytes, starts[i], starts[i + 2]);
        }

        while (parts > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i + 1 < parts; i++)
            {
                if (ranks[i] < bestRank)
                {
                    (best, bestRank) = (i, ranks[i]);
                }
            }

            if (best < 0)
            {
                break;
            }

            // Part best + 1 joins part best: its start and its rank go.
            starts[(best + 2)..(parts + 1)].CopyTo(starts[(best + 1)..]);
            if (best + 2 < parts - 1)
            {
                ranks[(best + 2)..(parts - 1)].CopyTo(ranks[(best + 1)..]);
            }

            parts--;
            ranks[best] = best + 1 < parts ? Rank(bytes, starts[best], starts[best + 2]) : int.MaxValue;
            if (best > 0)
            {
                ranks[best - 1] = Rank(bytes, starts[best - 1], starts[best + 1]);
            }
        }

        return parts;
    }

    private int Rank(ReadOnlySpan<char> bytes, int start, int end)
    {
        var part = bytes[start..end];
        if (_short is { } table && ShortPieces.TryPack(part, out var key))
        {
            return table.TryGet(key, out var shortRank) ? shortRank : int.MaxValue;
        }

        return _lookup.TryGetValue(part, out var rank) ? rank : int.MaxValue;
    }
}
