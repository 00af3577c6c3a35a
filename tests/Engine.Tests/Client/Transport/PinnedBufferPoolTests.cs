using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

public sealed class PinnedBufferPoolTests
{
    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 8192)]
    [InlineData(100_000, 131_072)]
    [InlineData(64 * 1024 * 1024, 64 * 1024 * 1024)]
    public void Rents_the_smallest_power_of_two_from_4_KiB_that_holds_the_request(int asked, int expected)
    {
        var pool = new PinnedBufferPool(maxPerSize: 4);

        Assert.Equal(expected, pool.Rent(asked).Length);
    }

    [Fact]
    public void A_returned_buffer_is_rented_again_and_lives_outside_the_young_generations()
    {
        var pool = new PinnedBufferPool(maxPerSize: 4);
        var first = pool.Rent(5000);
        pool.Return(first);

        var second = pool.Rent(6000);

        Assert.Same(first, second);
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(second));
    }

    [Fact]
    public void Keeps_at_most_max_per_size_and_drops_arrays_it_did_not_make()
    {
        var pool = new PinnedBufferPool(maxPerSize: 2);
        var rented = Enumerable.Range(0, 3).Select(_ => pool.Rent(4096)).ToList();
        rented.ForEach(b => pool.Return(b));
        pool.Return(new byte[5000]);
        pool.Return(new byte[1024]);

        var again = Enumerable.Range(0, 3).Select(_ => pool.Rent(4096)).ToList();

        Assert.Equal(2, again.Count(b => rented.Contains(b)));
        Assert.All(again, b => Assert.Equal(4096, b.Length));
    }

    [Fact]
    public void Larger_than_the_largest_size_is_allocated_for_the_caller_and_not_kept()
    {
        var pool = new PinnedBufferPool(maxPerSize: 2);
        var huge = pool.Rent((64 * 1024 * 1024) + 1);
        pool.Return(huge);

        Assert.Equal((64 * 1024 * 1024) + 1, huge.Length);
        Assert.NotSame(huge, pool.Rent((64 * 1024 * 1024) + 1));
    }

    [Fact]
    public void Clears_a_returned_buffer_when_asked()
    {
        var pool = new PinnedBufferPool(maxPerSize: 2);
        var buffer = pool.Rent(4096);
        buffer.AsSpan().Fill(7);
        pool.Return(buffer, clearArray: true);

        Assert.All(pool.Rent(4096), b => Assert.Equal(0, b));
    }
}
