using GuidellmFunctions.Engine.Client;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>Which HTTP/1.1 client the runner's targets go through (the transport decision of issue 23 item 5).</summary>
internal enum RunnerClient
{
    /// <summary>The runner as it ships.</summary>
    Default,

    /// <summary>The runner's own HTTP/1.1 client waiting on .NET's socket engine instead of its own event threads.</summary>
    NoEventThreads,

    /// <summary>.NET's SocketsHttpHandler (HTTP/1.1) whose ConnectCallback returns the kernel-stamped socket stream.</summary>
    StampedHttpClient,
}

/// <summary>The names and factories of <see cref="RunnerClient"/>.</summary>
internal static class RunnerClients
{
    public static TargetTransportFactory Factory(RunnerClient client) => client switch
    {
        RunnerClient.NoEventThreads => new TargetTransportFactory { EventThreads = false },
        RunnerClient.StampedHttpClient => new TargetTransportFactory { StampedHttpClient = true },
        _ => new TargetTransportFactory(),
    };

    public static string Label(RunnerClient client) => client switch
    {
        RunnerClient.NoEventThreads => ".NET socket engine",
        RunnerClient.StampedHttpClient => "SocketsHttpHandler + stamped ConnectCallback",
        _ => string.Empty,
    };
}
