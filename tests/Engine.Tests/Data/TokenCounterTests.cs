using System.Text;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Tests.Support;

namespace GuidellmFunctions.Engine.Tests.Data;

public sealed class TokenCounterTests
{
    // The pieces the cl100k pattern tells apart: letters of both cases, contractions, digits, punctuation, every kind of
    // whitespace run, punctuation and symbols beyond ASCII, characters the counter leaves to the tokenizer (accents, CJK,
    // an emoji's surrogate pair, controls, a non-breaking space and other spaces, a non-ASCII digit) and a special token.
    private static readonly string[] Alphabet =
    [
        "a", "Z", "word", " the", "  ", " ", "\t", "\n", "\r\n", " \n", "\n\n  ", "'s", "'S", "'re", "'LL", "'ve", "'d", "'m", "'t", "'x", "'",
        "0", "12", "3456", ".", ",", "!?", "(", ")", "{", "}", "\"", "-", "_", "<", "|", ">", "é", "naïve", "中文", "😀", "\u00a0", "\u000b", "\u0001",
        "<|endoftext|>", "x<|fim_prefix|>", "ſ", "K", "—", "…", "→", "“", "”", "’s", "€", "©", "×", "¿", "\u0085", "\u2028", "٣",
        "Müller", "ß", "Ωμέγα", "Привет", "日本語", "İ", "ǅ", "ʰ", "e\u0301", "ﬁ", "Straße", "ÅÆØ", "²",
    ];

    private readonly PromptGenerator _generator = new();

    [Fact]
    public void It_counts_every_text_as_the_tokenizer_does()
    {
        var counter = _generator.NewCounter();
        var random = new Random(20);
        for (var i = 0; i < 3000; i++)
        {
            var text = new StringBuilder();
            var parts = random.Next(0, 40);
            for (var p = 0; p < parts; p++)
            {
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            var s = text.ToString();
            Assert.True(_generator.CountTokens(s) == counter.Count(s), $"text {i}: '{s}' tokenizer {_generator.CountTokens(s)}, counter {counter.Count(s)}");
        }
    }

    [Fact]
    public void It_counts_the_sample_datasets_the_readme_and_the_corpus_as_the_tokenizer_does()
    {
        var counter = _generator.NewCounter();
        var samples = Samples.Path(".");
        var texts = Directory.GetFiles(samples)
            .Append(Path.Combine(samples, "..", "..", "README.md"))
            .Select(File.ReadAllText)
            .Append(_generator.Generate(5000, "[0-1]", new Random(1)).Prompt);
        foreach (var text in texts)
        {
            Assert.Equal(_generator.CountTokens(text), counter.Count(text));

            // Again, now from the map of pieces already counted.
            Assert.Equal(_generator.CountTokens(text), counter.Count(text));
        }
    }

    [Fact]
    public void A_bounded_count_stops_past_its_bound()
    {
        var counter = _generator.NewCounter();
        var text = _generator.Generate(1000, "[0-2]", new Random(2)).Prompt;

        Assert.Equal(1000, counter.Count(text, 1000));
        Assert.Equal(1000, counter.Count(text, 5000));
        Assert.Equal(500, counter.Count(text, 499));
        Assert.Equal(_generator.CountTokens(text, 10), counter.Count(text + " 中文 more", 10));
        Assert.Equal(_generator.CountTokens("中文 é", 100), counter.Count("中文 é", 100));
    }
}
