using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Counts the tokens of a request tag <c>[stage-index]</c> without tokenizing it. cl100k_base's pre-tokenizer makes each
/// bracket and the dash a piece of their own and cuts a run of digits into groups of three from the left, and each piece
/// is encoded on its own, so the count is a sum over a table of the 1,110 digit groups, taken from the tokenizer once.
/// </summary>
internal sealed class RequestTagCounter
{
    private readonly int _punctuation;
    private readonly int[][] _groups;

    private RequestTagCounter(int punctuation, int[][] groups)
    {
        _punctuation = punctuation;
        _groups = groups;
    }

    /// <summary>Takes the table from <paramref name="tokenizer"/>.</summary>
    public static RequestTagCounter Build(Tokenizer tokenizer)
    {
        var groups = new int[3][];
        for (var digits = 1; digits <= 3; digits++)
        {
            var format = new string('0', digits);
            groups[digits - 1] = [.. Enumerable.Range(0, (int)Math.Pow(10, digits)).Select(v => tokenizer.CountTokens(v.ToString(format, CultureInfo.InvariantCulture)))];
        }

        return new RequestTagCounter(tokenizer.CountTokens("[") + tokenizer.CountTokens("-") + tokenizer.CountTokens("]"), groups);
    }

    /// <summary>The tag of request <paramref name="index"/> of stage <paramref name="stage"/>.</summary>
    public static string Format(int stage, long index) => string.Create(CultureInfo.InvariantCulture, $"[{stage}-{index}]");

    /// <summary>The tokens of <see cref="Format"/>'s tag.</summary>
    public int Count(int stage, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return _punctuation + Digits(stage) + Digits(index);
    }

    private int Digits(long value)
    {
        Span<char> text = stackalloc char[20];
        value.TryFormat(text, out var length, provider: CultureInfo.InvariantCulture);
        var count = 0;
        for (var at = 0; at < length; at += 3)
        {
            var group = text.Slice(at, Math.Min(3, length - at));
            count += _groups[group.Length - 1][int.Parse(group, CultureInfo.InvariantCulture)];
        }

        return count;
    }
}
