using GuidellmFunctions.Engine.Data;

namespace GuidellmFunctions.Engine.Tests.Data;

public sealed class PromptGeneratorTests
{
    private readonly PromptGenerator _generator = new();

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(256)]
    [InlineData(1000)]
    [InlineData(4096)]
    public void Prompts_count_the_requested_tokens(int tokens)
    {
        var random = new Random(tokens);
        for (var i = 0; i < 20; i++)
        {
            var (prompt, count) = _generator.Generate(tokens, $"[0-{i}]", random);

            Assert.Equal(_generator.CountTokens(prompt), count);
            Assert.InRange(count, tokens, tokens + 1);
            if (tokens >= 16)
            {
                Assert.Equal(tokens, count);
                Assert.StartsWith($"[0-{i}] ", prompt, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_prompt_and_different_seeds_differ()
    {
        var a = _generator.Generate(128, "[x]", new Random(1)).Prompt;
        var b = _generator.Generate(128, "[x]", new Random(1)).Prompt;
        var c = _generator.Generate(128, "[x]", new Random(2)).Prompt;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Prompts_sized_without_tokenizing_them_count_exactly_what_the_tokenizer_counts()
    {
        var random = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            var tokens = random.Next(12, 3000);
            var (stage, index) = (random.Next(i % 2 == 0 ? 10 : 100_000), random.NextInt64(i % 3 == 0 ? 1_000 : 1_000_000_000_000));

            var (prompt, count) = i % 4 == 0
                ? _generator.Generate(tokens, $"<{stage}:{index}>", random)
                : _generator.Generate(tokens, stage, index, random);

            Assert.Equal(tokens, count);
            Assert.Equal(tokens, _generator.CountTokens(prompt));
            Assert.DoesNotContain("  ", prompt, StringComparison.Ordinal);
            Assert.StartsWith(i % 4 == 0 ? $"<{stage}:{index}> " : $"[{stage}-{index}] ", prompt, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_numbered_tag_gives_the_same_prompt_as_the_same_tag_as_text()
    {
        foreach (var (stage, index) in new[] { (0, 0L), (1, 999L), (12, 1_000L), (999, 123_456_789L), (3, long.MaxValue) })
        {
            Assert.Equal(
                _generator.Generate(256, $"[{stage}-{index}]", new Random(5)),
                _generator.Generate(256, stage, index, new Random(5)));
        }
    }

    [Theory]
    [InlineData("tag ")]
    [InlineData("tag\n")]
    [InlineData("word")]
    [InlineData("[1-2]...")]
    public void Any_tag_gives_a_prompt_that_counts_what_it_says(string tag)
    {
        var random = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            var (prompt, count) = _generator.Generate(64, tag, random);

            Assert.Equal(_generator.CountTokens(prompt), count);
            Assert.InRange(count, 64, 65);
            Assert.StartsWith(tag, prompt, StringComparison.Ordinal);
        }
    }
}
