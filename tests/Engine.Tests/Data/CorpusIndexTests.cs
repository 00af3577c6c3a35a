using GuidellmFunctions.Engine.Data;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Tests.Data;

public sealed class CorpusIndexTests
{
    private static readonly Tokenizer Cl100k = TiktokenTokenizer.CreateForModel("gpt-4");

    [Fact]
    public void Text_found_for_a_length_counts_that_length_even_across_the_repetitions_of_a_corpus_with_numbers_and_punctuation()
    {
        const string corpus = """
            In 1987, the lock-keeper's ledger listed 12,345 barges (and 3 ferries); "nobody counted the rowing boats," he wrote.
            Ice held a horse & cart -- twice!  Prices: 4.50 a crate, 1,000,000 for the whole quay... or so they said?
            """;
        var index = CorpusIndex.Build(Cl100k, corpus);
        var random = new Random(11);
        var found = 0;
        for (var i = 0; i < 300; i++)
        {
            var tokens = random.Next(1, 4 * index.UnitTokens);
            if (!index.TryFind(tokens, random, out var start, out var end))
            {
                continue;
            }

            found++;
            var text = index.Compose("[7-42]", start, end);

            Assert.Equal(Cl100k.CountTokens("[7-42]") + tokens, Cl100k.CountTokens(text));
        }

        Assert.InRange(found, 250, 300);
    }

    [Fact]
    public void A_corpus_with_no_place_to_cut_finds_nothing()
    {
        var index = CorpusIndex.Build(Cl100k, "1234 5678 !!!");

        Assert.False(index.TryFind(3, new Random(1), out _, out _));
    }
}
