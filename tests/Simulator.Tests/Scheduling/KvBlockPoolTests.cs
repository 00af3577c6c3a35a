using GuidellmFunctions.Simulator.Scheduling;

namespace GuidellmFunctions.Simulator.Tests.Scheduling;

/// <summary>The KV block pool: reference-counted blocks, prefix hits, and which cached block goes first when space is needed.</summary>
public sealed class KvBlockPoolTests
{
    private static EngineRequest Request(int[] prompt, int blockSize = 16) =>
        new("r", 0, prompt.Length, PromptBlocks.Hash(prompt, blockSize), 8, FinishReason.Length);

    [Fact]
    public void Block_hashes_cover_the_whole_prefix_so_only_identical_prefixes_share_them()
    {
        var a = PromptBlocks.Hash(EngineHarness.Tokens(48, 1), 16);
        var sameStart = PromptBlocks.Hash([.. EngineHarness.Tokens(32, 1), .. EngineHarness.Tokens(16, 2)], 16);
        var sameThirdBlockOnly = PromptBlocks.Hash([.. EngineHarness.Tokens(32, 3), .. EngineHarness.Tokens(48, 1)[32..]], 16);

        Assert.Equal(3, a.Length);
        Assert.Equal(a[..2], sameStart[..2]);
        Assert.NotEqual(a[2], sameStart[2]);
        Assert.NotEqual(a[2], sameThirdBlockOnly[2]);
        Assert.Empty(PromptBlocks.Hash(EngineHarness.Tokens(15, 1), 16));
    }

    [Fact]
    public void Freed_blocks_stay_cached_until_their_space_is_needed_empty_ones_first_then_a_sequences_tail_before_its_head()
    {
        var pool = new KvBlockPool(8, 16, prefixCaching: true);
        var prompt = EngineHarness.Tokens(64, 1);
        var first = Request(prompt);
        Assert.True(pool.TryAdmit(first, out _));
        first.Computed = 64;
        pool.CacheComputed(first);
        pool.Release(first);
        Assert.Equal(8, pool.Free);

        // Six blocks for an unrelated request: the four empty ones, then the first request's last two.
        var other = Request(EngineHarness.Tokens(96, 2));
        Assert.True(pool.TryAdmit(other, out var otherCached));
        Assert.Equal(0, otherCached);
        pool.Release(other);
        var again = Request(prompt);
        Assert.True(pool.TryAdmit(again, out var cached));

        Assert.Equal(32, cached);
        Assert.Equal(4, pool.Free);
    }

    [Fact]
    public void A_request_that_does_not_fit_changes_nothing()
    {
        var pool = new KvBlockPool(4, 16, prefixCaching: true);
        var held = Request(EngineHarness.Tokens(40, 1));
        Assert.True(pool.TryAdmit(held, out _));

        var big = Request(EngineHarness.Tokens(40, 2));

        Assert.False(pool.TryAdmit(big, out _));
        Assert.Empty(big.Blocks);
        Assert.Equal(1, pool.Free);
        Assert.Equal(0.75, pool.Usage);
    }

    [Fact]
    public void Shared_blocks_are_counted_once_and_freed_when_their_last_holder_leaves()
    {
        var pool = new KvBlockPool(10, 16, prefixCaching: true);
        var prompt = EngineHarness.Tokens(64, 1);
        var first = Request(prompt);
        Assert.True(pool.TryAdmit(first, out _));
        first.Computed = 64;
        pool.CacheComputed(first);

        var second = Request([.. prompt, .. EngineHarness.Tokens(16, 2)]);
        Assert.True(pool.TryAdmit(second, out var cached));

        Assert.Equal(64, cached);
        Assert.Equal(10 - 4 - 1, pool.Free);
        pool.Release(first);
        Assert.Equal(5, pool.Free);
        pool.Release(second);
        Assert.Equal(10, pool.Free);
    }
}
