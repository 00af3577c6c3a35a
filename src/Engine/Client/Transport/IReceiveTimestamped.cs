namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>A response body that knows when the bytes of its last read arrived at this machine.</summary>
internal interface IReceiveTimestamped
{
    /// <summary>
    /// The <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at which the bytes returned by the last read reached the
    /// network stack (the kernel's receive timestamp), or 0 when it is not known.
    /// </summary>
    long LastArrival { get; }
}
