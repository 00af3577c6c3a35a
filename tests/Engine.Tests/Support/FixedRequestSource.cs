using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>The same small request every time, so schedule tests do not pay for prompt generation.</summary>
internal sealed class FixedRequestSource(Uri endpoint) : IRequestSource
{
    public PreparedRequest Prepare(int stage, long index) =>
        new(new CompletionRequest(endpoint, RequestBodyBuilder.Build(RequestType.ChatCompletions, "m", "hi", 8, true), $"r-{stage}-{index}"), 1, 8);
}
