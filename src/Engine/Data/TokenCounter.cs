using System.Buffers;
using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Counts cl100k_base tokens exactly as <see cref="Tokenizer.CountTokens(string, bool, bool)"/> does, at a fraction of its
/// cost on long prompts. The tokenizer's cost is its pre-tokenizer (a regular expression run over the text, and again for
/// every call); the BPE of a piece it has seen is a cache hit. Here, text of plain ASCII (letters, digits, punctuation,
/// space, tab, CR, LF), letters beyond ASCII (accented, Greek, Cyrillic, CJK) and other punctuation and symbols (dashes,
/// quotes, arrows) is cut into the same pieces by a hand-written scanner of the cl100k pattern, and each piece is
/// counted once (kept in bounded maps; pieces of up to 8 ASCII characters in <see cref="ShortPieces"/>): an ASCII piece by
/// byte pair encoding on the vocabulary's ranks (<see cref="PieceRanks"/>, about half the tokenizer's cost of a piece,
/// which distinct text meets thousands of times a record), any other through the tokenizer without pre-tokenization. Any
/// other text (digits beyond ASCII, surrogates, marks, other spaces and controls, <c>ſ</c>, special tokens' <c>&lt;|</c>)
/// is left to the tokenizer whole, in stretches that start at a space before a letter: the
/// pattern always starts a piece there and never lets one cross it, so counts of such stretches add up exactly. Not
/// thread-safe: one per reading thread.
/// </summary>
internal sealed class TokenCounter
{
    private const int MaxPieces = 1 << 16;
    private const int MaxPieceChars = 64;

    private static readonly SearchValues<char> Plain = SearchValues.Create("\t\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private readonly Tokenizer _tokenizer;
    private readonly PieceRanks _ranks;
    private readonly ShortPieces _short = new();
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Counts with <paramref name="tokenizer"/> (cl100k_base: the scanner follows its pattern) and its <paramref name="ranks"/>.</summary>
    public TokenCounter(Tokenizer tokenizer, PieceRanks ranks)
    {
        _tokenizer = tokenizer;
        _ranks = ranks;
        _lookup = _pieces.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The tokens of <paramref name="text"/>.</summary>
    public int Count(ReadOnlySpan<char> text) => Count(text, int.MaxValue - 1);

    /// <summary>The tokens of <paramref name="text"/> up to <paramref name="atMost"/>: a longer text gives <paramref name="atMost"/> + 1 and is counted no further.</summary>
    public int Count(ReadOnlySpan<char> text, int atMost)
    {
        var total = 0;
        var at = 0;
        while (at < text.Length && total <= atMost)
        {
            var odd = NextOdd(text, at);
            if (odd < 0)
            {
                total = Scan(text[at..], total, atMost);
                break;
            }

            // The stretch the tokenizer counts starts at the last piece boundary before the odd character, ends at the next.
            var start = PreviousBoundary(text, at, odd);
            total = Scan(text[at..start], total, atMost);
            var end = NextBoundary(text, odd);
            total += _tokenizer.CountTokens(text[start..end]);
            at = end;
        }

        return Math.Min(total, atMost + 1);
    }

    private static int NextOdd(ReadOnlySpan<char> text, int from)
    {
        var other = from;
        while (true)
        {
            var found = text[other..].IndexOfAnyExcept(Plain);
            other = found < 0 ? -1 : other + found;
            if (other < 0 || !(IsOtherSymbol(text[other]) || IsWordLetter(text[other])))
            {
                break;
            }

            other++;
        }

        var rest = text[from..(other < 0 ? text.Length : other)];
        var special = rest.IndexOf("<|", StringComparison.Ordinal);
        return special >= 0 ? from + special : other;
    }

    /// <summary>The last space before a letter in [<paramref name="from"/>, <paramref name="odd"/>), else <paramref name="from"/>.</summary>
    private static int PreviousBoundary(ReadOnlySpan<char> text, int from, int odd)
    {
        for (var i = odd - 1; i > from; i--)
        {
            if (text[i] == ' ' && char.IsLetter(text[i + 1]))
            {
                return i;
            }
        }

        return from;
    }

    /// <summary>The first space before a letter after <paramref name="odd"/>, else the end.</summary>
    private static int NextBoundary(ReadOnlySpan<char> text, int odd)
    {
        for (var i = odd + 1; i < text.Length - 1; i++)
        {
            if (text[i] == ' ' && char.IsLetter(text[i + 1]))
            {
                return i;
            }
        }

        return text.Length;
    }

    private static bool IsLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>
    /// A letter of the pattern's <c>\p{L}</c> the scanner takes: any but a surrogate (left to the tokenizer) and <c>ſ</c>,
    /// which the pattern's case-insensitive <c>'s</c> matches as it matches <c>s</c>.
    /// </summary>
    private static bool IsWordLetter(char c) => c < 128 ? IsLetter(c) : c != '\u017F' && char.IsLetter(c);

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsNewline(char c) => c is '\r' or '\n';

    private static bool IsOther(char c) => c < 128 ? !IsLetter(c) && !IsDigit(c) && !IsSpace(c) : IsOtherSymbol(c);

    /// <summary>A character beyond ASCII that the pattern takes as neither letter, number nor space: punctuation and symbols (dashes, quotes, arrows).</summary>
    private static bool IsOtherSymbol(char c) => c >= 128 && char.GetUnicodeCategory(c) is
        UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;

    /// <summary>
    /// The end of the piece starting at <paramref name="i"/>, by cl100k_base's pattern (<c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|
    /// [^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>) on the characters it takes.
    /// </summary>
    private static int PieceEnd(ReadOnlySpan<char> s, int i)
    {
        var n = s.Length;
        var c = s[i];
        if (c == '\'' && i + 1 < n)
        {
            var a = (char)(s[i + 1] | 0x20);
            if (a is 's' or 't' or 'm' or 'd' && IsLetter(s[i + 1]))
            {
                return i + 2;
            }

            if (i + 2 < n && IsLetter(s[i + 1]) && IsLetter(s[i + 2]))
            {
                var b = (char)(s[i + 2] | 0x20);
                if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
                {
                    return i + 3;
                }
            }
        }

        if (IsWordLetter(c) || (!IsNewline(c) && !IsDigit(c) && i + 1 < n && IsWordLetter(s[i + 1])))
        {
            var j = i + 1;
            while (j < n && IsWordLetter(s[j]))
            {
                j++;
            }

            return j;
        }

        if (IsDigit(c))
        {
            var j = i + 1;
            while (j < n && j < i + 3 && IsDigit(s[j]))
            {
                j++;
            }

            return j;
        }

        var k = c == ' ' ? i + 1 : i;
        if (k < n && IsOther(s[k]))
        {
            var j = k + 1;
            while (j < n && IsOther(s[j]))
            {
                j++;
            }

            while (j < n && IsNewline(s[j]))
            {
                j++;
            }

            return j;
        }

        // Whitespace: up to its last newline; else all of it at the end, all but its last before other text, or one.
        var end = i;
        var lastNewline = -1;
        while (end < n && IsSpace(s[end]))
        {
            lastNewline = IsNewline(s[end]) ? end : lastNewline;
            end++;
        }

        return lastNewline >= 0 ? lastNewline + 1 : end == n ? n : end - i >= 2 ? end - 1 : i + 1;
    }

    private int Scan(ReadOnlySpan<char> text, int total, int atMost)
    {
        var i = 0;
        while (i < text.Length && total <= atMost)
        {
            var end = PieceEnd(text, i);
            total += Piece(text[i..end]);
            i = end;
        }

        return total;
    }

    private int Piece(ReadOnlySpan<char> piece)
    {
        int count;
        if (ShortPieces.TryPack(piece, out var key))
        {
            if (!_short.TryGet(key, out count))
            {
                count = _ranks.Count(piece);
                _short.Add(key, count);
            }

            return count;
        }

        if (_lookup.TryGetValue(piece, out count))
        {
            return count;
        }

        count = _ranks.Count(piece);
        if (count < 0)
        {
            count = _tokenizer.CountTokens(piece, considerPreTokenization: false);
        }

        if (piece.Length <= MaxPieceChars)
        {
            if (_pieces.Count >= MaxPieces)
            {
                // Bounded: a text of ever new words starts the map again rather than grow it.
                _pieces.Clear();
            }

            _lookup[piece] = count;
        }

        return count;
    }
}
