using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Buffers that SSE readers fill from sockets, kept for the next stream and allocated on the pinned object heap, which
/// only full collections visit. A burst rents two per concurrent stream, thousands at its start; on the ordinary heap
/// each would be copied by a young collection and again by the next on its way to the old generation, lengthening the
/// pauses that stall every open stream (the first 1000-stream burst of a process paused 319 and 156 ms before, 223 and
/// 117 after; docs/benchmarks.md). Sizes are powers of two from 4 KiB; each size keeps up to <c>maxPerSize</c> returned
/// buffers.
/// </summary>
internal sealed class PinnedBufferPool : ArrayPool<byte>
{
    private const int MinimumSize = 4 * 1024;
    private const int Sizes = 15; // 4 KiB .. 64 MiB

    private readonly ConcurrentQueue<byte[]>[] _free = new ConcurrentQueue<byte[]>[Sizes];
    private readonly int[] _counts = new int[Sizes];
    private readonly int _maxPerSize;

    public PinnedBufferPool(int maxPerSize)
    {
        _maxPerSize = maxPerSize;
        for (var i = 0; i < Sizes; i++)
        {
            _free[i] = new ConcurrentQueue<byte[]>();
        }
    }

    /// <summary>The pool the SSE readers of every stream share.</summary>
    public static PinnedBufferPool Streams { get; } = new(maxPerSize: 4096);

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes, of unspecified content.</summary>
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var index = SizeIndex(minimumLength);
        if (index >= Sizes)
        {
            return GC.AllocateUninitializedArray<byte>(minimumLength, pinned: true);
        }

        if (_free[index].TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _counts[index]);
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(MinimumSize << index, pinned: true);
    }

    /// <summary>Takes <paramref name="array"/> back when it is one of this pool's sizes and that size is not full.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length < MinimumSize || !BitOperations.IsPow2(array.Length))
        {
            return;
        }

        var index = SizeIndex(array.Length);
        if (index >= Sizes)
        {
            return;
        }

        if (Interlocked.Increment(ref _counts[index]) > _maxPerSize)
        {
            Interlocked.Decrement(ref _counts[index]);
            return;
        }

        if (clearArray)
        {
            Array.Clear(array);
        }

        _free[index].Enqueue(array);
    }

    private static int SizeIndex(int length) =>
        length <= MinimumSize ? 0 : BitOperations.Log2((uint)(length - 1)) + 1 - BitOperations.Log2(MinimumSize);
}
