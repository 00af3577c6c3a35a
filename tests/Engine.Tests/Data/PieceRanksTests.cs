using System.Text.RegularExpressions;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Engine.Tests.Data;

public sealed partial class PieceRanksTests
{
    private static readonly Tokenizer Tokenizer = TiktokenTokenizer.CreateForModel("gpt-4");
    private static readonly PieceRanks Ranks = PieceRanks.Build(Tokenizer);

    [Fact]
    public void Random_ascii_strings_count_as_the_tokenizers_byte_pair_encoding()
    {
        // Strings of any ASCII, not only pieces the pattern cuts: the merges must agree on every one.
        var random = new Random(7);
        const string Chars = " \t\n\reeeeetttaaoinshrdlucmfwypvbgkjqxzETAOIN0123456789.,;:'\"!?()[]{}<>-_=+*/\\|&^%$#@~`";
        for (var i = 0; i < 5000; i++)
        {
            var s = new string([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => Chars[random.Next(Chars.Length)])]);
            Assert.True(Tokenizer.CountTokens(s, considerPreTokenization: false) == Ranks.Count(s), $"'{Regex.Escape(s)}': tokenizer {Tokenizer.CountTokens(s, considerPreTokenization: false)}, ranks {Ranks.Count(s)}");
        }
    }

    [Fact]
    public void Every_ascii_piece_of_the_samples_the_readme_and_the_corpus_counts_as_the_tokenizer_does()
    {
        var text = string.Concat(Directory.EnumerateFiles(Samples.Path(string.Empty)).Select(File.ReadAllText))
            + File.ReadAllText(Path.Combine(Samples.Path(string.Empty), "..", "..", "README.md")) + PromptCorpus.Text;
        var pieces = Piece().Matches(text).Select(m => m.Value).Where(p => p.All(char.IsAscii)).Distinct().ToList();

        Assert.True(pieces.Count > 3000, $"only {pieces.Count} pieces");
        Assert.All(pieces, p => Assert.Equal(Tokenizer.CountTokens(p, considerPreTokenization: false), Ranks.Count(p)));
    }

    [Fact]
    public void The_short_tokens_ranks_are_all_held_in_the_fast_table()
    {
        Assert.True(Ranks.HasShortTable);
    }

    [Fact]
    public void A_piece_beyond_ascii_or_too_long_is_left_to_the_tokenizer()
    {
        Assert.Equal(-1, Ranks.Count("naïve"));
        Assert.Equal(-1, Ranks.Count("—"));
        Assert.Equal(-1, Ranks.Count(new string('=', PieceRanks.MaxChars + 1)));
        Assert.Equal(Tokenizer.CountTokens(new string('=', PieceRanks.MaxChars), considerPreTokenization: false), Ranks.Count(new string('=', PieceRanks.MaxChars)));
        Assert.Equal(0, Ranks.Count(string.Empty));
    }

    // cl100k_base's pattern, as the tokenizer's pre-tokenizer cuts text.
    [GeneratedRegex(@"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex Piece();
}
