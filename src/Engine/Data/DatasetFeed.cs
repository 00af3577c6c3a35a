using System.Collections.Concurrent;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Reads one stage's dataset items ahead on a thread of its own into a bounded queue, so neither file or blob reads nor
/// token counting happen on the dispatch path. Items are taken by index: closed-loop workers may ask slightly out of
/// order, and a replay's schedule looks at an item's timestamp before the item is taken; the few items asked for out of
/// order wait in a small map.
/// </summary>
internal sealed class DatasetFeed : IDisposable
{
    private const int Ahead = 64;

    private readonly BlockingCollection<DatasetItem> _queue = new(Ahead);
    private readonly Dictionary<long, DatasetItem> _waiting = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private Exception? _failure;

    /// <summary>Starts reading the items <paramref name="produce"/> yields.</summary>
    public DatasetFeed(Func<CancellationToken, IEnumerable<DatasetItem>> produce)
    {
        _thread = new Thread(() => Run(produce)) { IsBackground = true, Name = "guidellm-dataset" };
        _thread.Start();
    }

    /// <summary>The first item's timestamp, once it was read (a replay's origin).</summary>
    public double? FirstTimestampMs { get; private set; }

    /// <summary>Item <paramref name="index"/>, removed; waits for it to be read.</summary>
    /// <exception cref="DatasetException">The dataset has no such item (a trace's end) or could not be read.</exception>
    public DatasetItem Take(long index) => Find(index, remove: true)
        ?? throw (_failure as DatasetException ?? new DatasetException($"the dataset has no request {index}: {_failure?.Message ?? "it was used up"}", _failure!));

    /// <summary>Item <paramref name="index"/>, left for <see cref="Take"/>; null when the dataset ends before it.</summary>
    public DatasetItem? Peek(long index) => Find(index, remove: false);

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _queue.Dispose();
        _stop.Dispose();
    }

    private DatasetItem? Find(long index, bool remove)
    {
        lock (_lock)
        {
            while (!_waiting.ContainsKey(index))
            {
                if (!_queue.TryTake(out var item, Timeout.Infinite, _stop.Token))
                {
                    return null;
                }

                _waiting[item.Index] = item;
            }

            var found = _waiting[index];
            if (remove)
            {
                _waiting.Remove(index);
            }

            return found;
        }
    }

    private void Run(Func<CancellationToken, IEnumerable<DatasetItem>> produce)
    {
        try
        {
            foreach (var item in produce(_stop.Token))
            {
                if (item.Index == 0)
                {
                    FirstTimestampMs = item.TimestampMs;
                }

                _queue.Add(item, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The stage is over.
        }
#pragma warning disable CA1031 // Any read failure (a blob cut mid-stream) is handed to the stage that asks for the next item.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failure = ex;
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }
}
