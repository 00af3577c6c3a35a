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
                Assert.StartsWith($"[0-{i}]", prompt, StringComparison.Ordinal);
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
}
