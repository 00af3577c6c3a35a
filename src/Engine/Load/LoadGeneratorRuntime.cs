namespace GuidellmFunctions.Engine.Load;

/// <summary>Process settings a host applies once before it generates load.</summary>
public static class LoadGeneratorRuntime
{
    /// <summary>The variable .NET reads, once, to run socket completions on its event threads.</summary>
    public const string InlineSocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The worker-thread minimum applied by <see cref="ConfigureThreadPool"/>.</summary>
    public const int MinWorkerThreads = 64;

    /// <summary>
    /// Raises the thread pool's minimum so bursts of work (first-use compilation, a slow exporter, a flood of stream
    /// events) never leave the dispatcher and stream readers waiting for thread injection, which the pool does only
    /// about twice a second: measured, such a wait showed as 700 ms of dispatch delay and TTFT on a 2-core machine.
    /// </summary>
    public static void ConfigureThreadPool()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < MinWorkerThreads)
        {
            ThreadPool.SetMinThreads(MinWorkerThreads, Math.Max(io, MinWorkerThreads));
        }
    }

    /// <summary>
    /// Has .NET run the code that follows a socket send or receive on its socket event threads (one per core) instead of
    /// queueing it to the thread pool: the runner's work per request and per chunk is microseconds and never blocks, and
    /// the hop cost a fifth to a third of its CPU (measured: 11–13 instead of 16–18 CPU µs per request, 5–7% instead of
    /// 13% of the machine at 100 streams; docs/benchmarks.md). .NET reads the setting at the process's first socket
    /// operation, so a host calls this before any; a value already set in the environment wins.
    /// </summary>
    /// <returns>True when this call set it.</returns>
    public static bool RunSocketCompletionsInline()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletionsVariable) is not null)
        {
            return false;
        }

        Environment.SetEnvironmentVariable(InlineSocketCompletionsVariable, "1");
        return true;
    }
}
