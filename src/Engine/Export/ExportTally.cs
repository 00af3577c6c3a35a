namespace GuidellmFunctions.Engine.Export;

/// <summary>Counts of one target's samples at one receiver. Thread-safe.</summary>
internal sealed class ExportTally(string receiver)
{
    private const int MaxErrors = 10;
    private readonly Lock _lock = new();
    private readonly List<string> _errors = [];
    private long _delivered;
    private long _spooled;
    private long _rejected;

    public void Delivered(long samples)
    {
        lock (_lock)
        {
            _delivered += samples;
        }
    }

    public void Spooled(long samples, string? error)
    {
        lock (_lock)
        {
            _spooled += samples;
            AddError(error);
        }
    }

    public void Rejected(long samples, string? error)
    {
        lock (_lock)
        {
            _rejected += samples;
            AddError(error);
        }
    }

    public ExportReport ToReport(long replayed, IEnumerable<string> replayErrors)
    {
        lock (_lock)
        {
            return new ExportReport
            {
                Receiver = receiver,
                SamplesDelivered = _delivered,
                SamplesSpooled = _spooled,
                SamplesRejected = _rejected,
                SamplesReplayed = replayed,
                Errors = [.. replayErrors, .. _errors],
            };
        }
    }

    private void AddError(string? error)
    {
        if (error is not null && _errors.Count < MaxErrors && !_errors.Contains(error))
        {
            _errors.Add(error);
        }
    }
}
