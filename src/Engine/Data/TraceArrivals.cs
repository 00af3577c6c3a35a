using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// A trace's own arrival times: request i at (its timestamp − the first record's) × <c>time_scale</c>, in file order; a
/// timestamp earlier than the one before is sent right after it. Ends with the trace.
/// </summary>
internal sealed class TraceArrivals(DatasetFeed feed, double timeScale) : IArrivalSchedule
{
    private long _next;
    private TimeSpan _last;

    /// <inheritdoc />
    public TimeSpan Next()
    {
        var index = _next++;
        if (index == 0)
        {
            return TimeSpan.Zero;
        }

        if (feed.Peek(index) is not { TimestampMs: { } at } || feed.FirstTimestampMs is not { } first)
        {
            return IArrivalSchedule.End;
        }

        var offset = TimeSpan.FromMilliseconds(Math.Max(0, at - first) * timeScale);
        _last = offset > _last ? offset : _last;
        return _last;
    }
}
