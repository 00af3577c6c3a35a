namespace GuidellmFunctions.Engine.Load;

/// <summary>How many connections a stage opens before its clock starts (<c>preopen_connections</c>).</summary>
internal static class ConnectionPreopening
{
    /// <summary>The most an open-loop stage without <c>max_concurrency</c> opens from its rate's estimate.</summary>
    public const int MaxEstimated = 256;

    /// <summary>The latency an open-loop estimate assumes when no earlier stage measured one.</summary>
    public static readonly TimeSpan DefaultLatency = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The connections <paramref name="plan"/> will need at once: one per stream of a closed loop; for an open loop its
    /// <c>max_concurrency</c>, or else its rate × <paramref name="expectedLatency"/> (requests in flight by Little's law),
    /// at most <see cref="MaxEstimated"/>; never more than its <c>max_requests</c>.
    /// </summary>
    public static int Count(StagePlan plan, TimeSpan expectedLatency)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var wanted = plan switch
        {
            { IsOpenLoop: false, Streams: { } streams } => streams,
            { IsOpenLoop: true, MaxConcurrency: { } cap } => cap,
            { IsOpenLoop: true, Rate: { } rate } => (int)Math.Min(MaxEstimated, Math.Ceiling(rate * expectedLatency.TotalSeconds)),
            _ => 0,
        };
        return Math.Max(0, Math.Min(wanted, plan.MaxRequests ?? int.MaxValue));
    }
}
