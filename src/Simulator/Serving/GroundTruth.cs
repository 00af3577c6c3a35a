using System.Collections.Concurrent;

namespace GuidellmFunctions.Simulator.Serving;

/// <summary>The server-side records of recent requests, by request id, bounded in count. Thread-safe.</summary>
public sealed class GroundTruth
{
    private readonly ConcurrentDictionary<string, GroundTruthRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly int _capacity;
    private long _total;

    /// <summary>Keeps at most <paramref name="capacity"/> records.</summary>
    public GroundTruth(int capacity)
    {
        _capacity = capacity;
    }

    /// <summary>Requests recorded since start, evicted ones included.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Records currently held.</summary>
    public IReadOnlyCollection<GroundTruthRecord> Records => (IReadOnlyCollection<GroundTruthRecord>)_records.Values;

    /// <summary>Adds a record, evicting the oldest beyond capacity.</summary>
    public void Add(GroundTruthRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Interlocked.Increment(ref _total);
        if (_capacity <= 0)
        {
            return;
        }

        _records[record.RequestId] = record;
        _order.Enqueue(record.RequestId);
        while (_order.Count > _capacity && _order.TryDequeue(out var old))
        {
            _records.TryRemove(old, out _);
        }
    }

    /// <summary>The record of <paramref name="requestId"/>, if held.</summary>
    public GroundTruthRecord? Find(string requestId) => _records.GetValueOrDefault(requestId);
}
