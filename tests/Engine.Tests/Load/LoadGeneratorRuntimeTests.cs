using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Load;

public sealed class LoadGeneratorRuntimeTests
{
    [Fact]
    public void Inline_socket_completions_are_set_unless_the_environment_already_says()
    {
        var before = Environment.GetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable);
        try
        {
            Environment.SetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable, "0");
            Assert.False(LoadGeneratorRuntime.RunSocketCompletionsInline());
            Assert.Equal("0", Environment.GetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable));

            Environment.SetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable, null);
            Assert.True(LoadGeneratorRuntime.RunSocketCompletionsInline());
            Assert.Equal("1", Environment.GetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(LoadGeneratorRuntime.InlineSocketCompletionsVariable, before);
        }
    }
}
