using GuidellmFunctions.Engine.Data;

namespace GuidellmFunctions.Engine.Tests.Data;

public sealed class ShortPiecesTests
{
    [Fact]
    public void Pieces_of_up_to_eight_ascii_characters_get_keys_that_tell_them_apart()
    {
        string[] pieces = [" the", "the", " th", "e", "E", "\n\n", " \n", "12345678", "1234567", "'s", "a b", "b a"];
        var keys = pieces.Select(p => ShortPieces.TryPack(p, out var key) ? key : throw new InvalidOperationException(p)).ToList();

        Assert.Equal(pieces.Length, keys.Distinct().Count());
        Assert.DoesNotContain(0UL, keys);
    }

    [Fact]
    public void An_empty_long_nul_or_non_ascii_piece_gets_no_key()
    {
        Assert.False(ShortPieces.TryPack(string.Empty, out _));
        Assert.False(ShortPieces.TryPack("123456789", out _));
        Assert.False(ShortPieces.TryPack("a\0", out _));
        Assert.False(ShortPieces.TryPack("naïve", out _));
        Assert.False(ShortPieces.TryPack("—", out _));
    }

    [Fact]
    public void Keys_that_start_at_the_same_slot_keep_their_own_counts()
    {
        var same = SameHome(3);
        var table = new ShortPieces();
        table.Add(same[0], 1);
        table.Add(same[1], 2);

        Assert.True(table.TryGet(same[0], out var first));
        Assert.True(table.TryGet(same[1], out var second));
        Assert.False(table.TryGet(same[2], out _));
        Assert.Equal((1, 2), (first, second));
    }

    [Fact]
    public void A_key_past_the_probe_limit_is_not_held_and_the_others_are()
    {
        var same = SameHome(ShortPieces.MaxProbes + 1);
        var table = new ShortPieces();
        var held = same.Select((key, i) => table.Add(key, i + 1)).ToList();

        Assert.Equal([.. Enumerable.Repeat(true, ShortPieces.MaxProbes), false], held);
        Assert.Equal(ShortPieces.MaxProbes, table.Count);
        Assert.All(Enumerable.Range(0, ShortPieces.MaxProbes), i => Assert.True(table.TryGet(same[i], out var count) && count == i + 1));
        Assert.False(table.TryGet(same[^1], out _));
    }

    [Fact]
    public void A_full_table_starts_again_empty()
    {
        var table = new ShortPieces();
        var key = 1UL;
        Assert.Equal(1 << 16, table.Capacity);
        while (table.Count < table.Capacity)
        {
            table.Add(key++, 1);
        }

        table.Add(key, 2);

        Assert.Equal(1, table.Count);
        Assert.False(table.TryGet(1, out _));
        Assert.True(table.TryGet(key, out var count) && count == 2);
    }

    private static List<ulong> SameHome(int count)
    {
        var home = ShortPieces.Home(1, 17);
        var keys = new List<ulong>();
        for (var key = 1UL; keys.Count < count; key++)
        {
            if (ShortPieces.Home(key, 17) == home)
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
