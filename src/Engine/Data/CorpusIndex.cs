using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// The prompt corpus as an endless repetition of one unit (a space, then the corpus with its whitespace collapsed), with
/// the places a prompt may start or end and how many tokens come before each. A place is a space followed by a letter:
/// cl100k_base's pre-tokenizer always starts a piece there and never lets a piece cross it, and it encodes each piece on
/// its own, so the text between two places counts exactly the tokens between them, and a tag that does not end in
/// whitespace adds only its own count in front. That turns sizing a prompt into arithmetic on these tables instead of
/// tokenizing every prompt.
/// </summary>
internal sealed class CorpusIndex
{
    private readonly string _unit;
    private readonly int[] _placeChars;
    private readonly int[] _placeTokens;
    private readonly int _unitTokens;

    private CorpusIndex(string unit, int[] placeChars, int[] placeTokens, int unitTokens)
    {
        _unit = unit;
        _placeChars = placeChars;
        _placeTokens = placeTokens;
        _unitTokens = unitTokens;
    }

    /// <summary>The unit's text.</summary>
    public string Unit => _unit;

    /// <summary>Tokens in one unit.</summary>
    public int UnitTokens => _unitTokens;

    /// <summary>Indexes <paramref name="corpus"/> with <paramref name="tokenizer"/>.</summary>
    public static CorpusIndex Build(Tokenizer tokenizer, string corpus)
    {
        var unit = " " + string.Join(' ', corpus.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        var starts = tokenizer.EncodeToTokens(unit, out _).Select(t => t.Offset.Start.GetOffset(unit.Length)).ToArray();
        var chars = new List<int>();
        var tokens = new List<int>();
        var before = 0;
        for (var i = 0; i < unit.Length - 1; i++)
        {
            while (before < starts.Length && starts[before] < i)
            {
                before++;
            }

            // A place must also be where a token starts; one that is not would mean the pre-tokenizer split otherwise.
            if (unit[i] == ' ' && char.IsLetter(unit[i + 1]) && before < starts.Length && starts[before] == i)
            {
                chars.Add(i);
                tokens.Add(before);
            }
        }

        return new CorpusIndex(unit, [.. chars], [.. tokens], starts.Length);
    }

    /// <summary>
    /// Finds text of exactly <paramref name="tokens"/> tokens starting at a place drawn from <paramref name="random"/>
    /// (moving on to the next places when the draw's end would fall inside a word). Offsets count from the start of the
    /// first unit and may run past it into the repetitions.
    /// </summary>
    public bool TryFind(int tokens, Random random, out long start, out long end)
    {
        var first = random.Next(_placeChars.Length);
        for (var attempt = 0; attempt < Math.Min(32, _placeChars.Length); attempt++)
        {
            var from = (first + attempt) % _placeChars.Length;
            var to = (long)_placeTokens[from] + tokens;
            var at = Array.BinarySearch(_placeTokens, (int)(to % _unitTokens));
            if (at >= 0)
            {
                start = _placeChars[from];
                end = (to / _unitTokens * _unit.Length) + _placeChars[at];
                return true;
            }
        }

        (start, end) = (0, 0);
        return false;
    }

    /// <summary><paramref name="tag"/> followed by the repeated unit's text from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public string Compose(string tag, long start, long end) =>
        string.Create(checked(tag.Length + (int)(end - start)), (tag, start, _unit), static (span, state) =>
        {
            var (tag, position, unit) = state;
            tag.AsSpan().CopyTo(span);
            var rest = span[tag.Length..];
            var offset = (int)(position % unit.Length);
            while (!rest.IsEmpty)
            {
                var piece = unit.AsSpan(offset, Math.Min(unit.Length - offset, rest.Length));
                piece.CopyTo(rest);
                rest = rest[piece.Length..];
                offset = 0;
            }
        });
}
