using System.Runtime.CompilerServices;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>The test process generates load like the CLI does, so it gets the same thread-pool settings.</summary>
internal static class TestRuntime
{
    [ModuleInitializer]
    internal static void Initialize() => LoadGeneratorRuntime.ConfigureThreadPool();
}
