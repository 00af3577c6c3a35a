using System.Numerics;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// The counts of pieces of at most <see cref="MaxChars"/> ASCII characters (most pieces of any text), keyed by the piece's
/// characters packed one byte each into a <see cref="ulong"/>: an open-addressing table of keys and counts side by side,
/// so a lookup is a multiply and, mostly, one cache line, where a dictionary of strings hashes the characters, then reads
/// its bucket, its entry and the key string. The hash is not randomized: the keys come from the prompts the run's own
/// configuration sends, and a probe sequence is cut at <see cref="MaxProbes"/> (a piece not stored is counted again each
/// time), so even colliding keys cost a bounded amount. Not thread-safe to write; read-only, safe to share.
/// </summary>
internal sealed class ShortPieces
{
    /// <summary>The longest piece held.</summary>
    public const int MaxChars = 8;

    /// <summary>The most slots a lookup or an insert probes.</summary>
    public const int MaxProbes = 32;

    private const ulong Fibonacci = 0x9E3779B97F4A7C15;

    private readonly Slot[] _slots;
    private readonly int _bits;

    /// <summary>A table of at most <paramref name="capacity"/> pieces (in twice as many slots: never more than half full, so probe sequences stay short).</summary>
    public ShortPieces(int capacity = 1 << 16)
    {
        _bits = Math.Max(2, 64 - BitOperations.LeadingZeroCount((ulong)capacity - 1) + 1);
        _slots = new Slot[1 << _bits];
        Capacity = capacity;
    }

    /// <summary>The most pieces held at once.</summary>
    public int Capacity { get; }

    /// <summary>The pieces held.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The key of <paramref name="piece"/>, false when it is empty, longer than <see cref="MaxChars"/> or not ASCII. No key is
    /// 0: a piece's characters are not NUL (the scanner takes no control character but tab, CR and LF), and its length is
    /// the count of its nonzero bytes.
    /// </summary>
    public static bool TryPack(ReadOnlySpan<char> piece, out ulong key)
    {
        key = 0;
        if (piece.IsEmpty || piece.Length > MaxChars)
        {
            return false;
        }

        for (var i = 0; i < piece.Length; i++)
        {
            var c = piece[i];
            if (c is '\0' or >= (char)128)
            {
                return false;
            }

            key |= (ulong)c << (i * 8);
        }

        return true;
    }

    /// <summary>The count held for <paramref name="key"/>.</summary>
    public bool TryGet(ulong key, out int count)
    {
        var mask = _slots.Length - 1;
        var at = Home(key, _bits);
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var slot = ref _slots[at];
            if (slot.Key == key)
            {
                count = slot.Count;
                return true;
            }

            if (slot.Key == 0)
            {
                break;
            }

            at = (at + 1) & mask;
        }

        count = 0;
        return false;
    }

    /// <summary>
    /// Holds <paramref name="count"/> for <paramref name="key"/> (not held yet); when the table is full it starts again
    /// empty (a text of ever new words does not grow it); a key whose probe sequence is too long is not held (false).
    /// </summary>
    public bool Add(ulong key, int count)
    {
        if (Count >= Capacity)
        {
            Array.Clear(_slots);
            Count = 0;
        }

        var mask = _slots.Length - 1;
        var at = Home(key, _bits);
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var slot = ref _slots[at];
            if (slot.Key == 0)
            {
                slot = new Slot(key, count);
                Count++;
                return true;
            }

            at = (at + 1) & mask;
        }

        return false;
    }

    /// <summary>The slot a probe for <paramref name="key"/> starts at in a table of 2^<paramref name="bits"/> slots.</summary>
    internal static int Home(ulong key, int bits) => (int)((key * Fibonacci) >> (64 - bits));

    private readonly record struct Slot(ulong Key, int Count);
}
