namespace GuidellmFunctions.Engine.Load;

/// <summary>Process settings a host applies once before it generates load.</summary>
public static class LoadGeneratorRuntime
{
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
}
