using System.Text;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Prompts for trace records, which give lengths, not text. A Mooncake record's prompt is made of one block of
/// <c>block_tokens</c> tokens per hash id (Mooncake's 512 by default; the last block takes what is left of
/// <c>input_length</c>): the block of an id is cut from the corpus at a place drawn from the id, so records that share
/// ids start with byte-identical blocks, which a server's prefix cache can reuse. Text beyond the ids, and the prompt of a
/// record without ids, is unique to the record.
/// </summary>
internal sealed class TracePrompts(PromptGenerator prompts, int seed, int blockTokens)
{
    /// <summary>The prompt of <paramref name="record"/>, request <paramref name="index"/> of <paramref name="stage"/>, and its tokens.</summary>
    public (string Text, int Tokens) For(DatasetRecord record, int stage, long index)
    {
        var text = new StringBuilder();
        var tokens = 0;
        var remaining = record.InputLength;
        foreach (var id in record.HashIds ?? [])
        {
            if (remaining <= 0)
            {
                break;
            }

            var (block, count) = prompts.Prefix(Math.Min(blockTokens, remaining), new Random(SyntheticRequestSource.Mix(seed, -2, id)));
            text.Append(block);
            tokens += count;
            remaining -= count;
        }

        if (remaining > 0)
        {
            var (rest, count) = prompts.Generate(remaining, stage, index, new Random(SyntheticRequestSource.Mix(seed, stage, index)));
            text.Append(rest);
            tokens += count;
        }

        return (text.ToString(), tokens);
    }
}
