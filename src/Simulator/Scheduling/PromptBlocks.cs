using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>
/// The prefix hashes of a prompt's full KV blocks, as vLLM's prefix cache keys them: block i's hash covers its own tokens
/// and, through the previous block's hash as seed, every token before them, so two prompts share block i's hash only if
/// they share their first (i + 1) × block size tokens.
/// </summary>
internal static class PromptBlocks
{
    /// <summary>Hashes the full blocks of <paramref name="tokens"/>.</summary>
    public static ulong[] Hash(ReadOnlySpan<int> tokens, int blockSize)
    {
        var blocks = tokens.Length / blockSize;
        if (blocks == 0)
        {
            return [];
        }

        var hashes = new ulong[blocks];
        var bytes = MemoryMarshal.AsBytes(tokens);
        var blockBytes = blockSize * sizeof(int);
        ulong previous = 0;
        for (var i = 0; i < blocks; i++)
        {
            previous = XxHash3.HashToUInt64(bytes.Slice(i * blockBytes, blockBytes), unchecked((long)previous));
            hashes[i] = previous;
        }

        return hashes;
    }
}
