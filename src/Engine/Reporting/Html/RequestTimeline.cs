using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// The per-request records of a run reduced to what the page draws over time, in memory bounded by the number of time
/// bins, never by the number of requests: requests in flight (time-weighted mean per bin), a sample of the requests'
/// TTFT (every request when few, a uniform random sample otherwise, with each bin's p50 and p99 within 1%), and failures
/// by reason per bin. Times are seconds from the run's start.
/// </summary>
internal sealed class RequestTimeline
{
    private const int MaxBins = 480;
    private const int MaxSamples = 2000;
    private const int MaxMessages = 64;

    // Per-bin TTFT buckets: 2% wide from 0.01 ms to beyond 10^7 ms, so a bin's percentile read at a bucket's middle is
    // within 1%; 4 KiB per bin.
    private const int CoarseBuckets = 1050;
    private const double CoarseBase = 0.01;
    private static readonly double CoarseStep = Math.Log(1.02);

    private static readonly double[] NiceWidths = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

    private readonly double[] _area;
    private readonly double[] _fullDiff;
    private readonly int[] _coarse;
    private readonly int[] _seen;
    private readonly (float T, float V)[] _reservoir = new (float, float)[MaxSamples];
    private readonly Random _random = new(24);
    private readonly Dictionary<string, long[]> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _messages = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<double> _offsets;

    private RequestTimeline(IReadOnlyList<StageView> stages, double runSeconds)
    {
        var span = runSeconds > 0 ? runSeconds : 60;
        BinSeconds = NiceWidths.FirstOrDefault(w => span / w <= MaxBins, NiceWidths[^1]);
        Bins = Math.Max(1, (int)Math.Ceiling(span / BinSeconds));
        _area = new double[Bins];
        _fullDiff = new double[Bins + 1];
        _coarse = new int[Bins * CoarseBuckets];
        _seen = new int[Bins];
        _offsets = [.. stages.Select(s => s.OffsetSeconds)];
        StageIndexes = [.. stages.Select(s => s.Index)];
    }

    public double BinSeconds { get; }

    public int Bins { get; }

    public long Records { get; private set; }

    public long Malformed { get; private set; }

    /// <summary>Why reading stopped before the end of the file, when it did.</summary>
    public string? Damage { get; private set; }

    public long Successful { get; private set; }

    public long Failed { get; private set; }

    public long TtftCount { get; private set; }

    /// <summary>True when there were more TTFT values than are kept: the points are a sample.</summary>
    public bool Sampled { get; private set; }

    /// <summary>Mean requests in flight per bin.</summary>
    public double[] InFlight { get; private set; } = [];

    private IReadOnlyList<int> StageIndexes { get; }

    public double BinStart(int bin) => bin * BinSeconds;

    /// <summary>The TTFT points kept: (seconds from the run's start when the request was sent, TTFT in ms).</summary>
    public IEnumerable<(double T, double Ttft)> TtftPoints()
    {
        for (var i = 0; i < Math.Min(TtftCount, MaxSamples); i++)
        {
            var (t, v) = _reservoir[i];
            yield return (t, v);
        }
    }

    /// <summary>The <paramref name="percentile"/> of each bin's TTFT (within 1%), NaN for a bin with none.</summary>
    public double[] TtftPercentile(double percentile)
    {
        var values = new double[Bins];
        for (var bin = 0; bin < Bins; bin++)
        {
            values[bin] = double.NaN;
            if (_seen[bin] == 0)
            {
                continue;
            }

            var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * _seen[bin]));
            long sum = 0;
            for (var b = 0; b < CoarseBuckets; b++)
            {
                sum += _coarse[(bin * CoarseBuckets) + b];
                if (sum >= rank)
                {
                    values[bin] = CoarseBase * Math.Exp((b + 0.5) * CoarseStep);
                    break;
                }
            }
        }

        return values;
    }

    /// <summary>Failures per bin by reason, reasons in order.</summary>
    public IReadOnlyList<(string Reason, long[] PerBin)> Failures => [.. _failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value))];

    /// <summary>The most frequent failure messages (first 200 characters), most frequent first.</summary>
    public IReadOnlyList<(string Message, long Count)> Messages(int top) =>
        [.. _messages.OrderByDescending(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal).Take(top).Select(m => (m.Key, m.Value))];

    public static RequestTimeline Read(Stream records, IReadOnlyList<StageView> stages, double runSeconds)
    {
        var timeline = new RequestTimeline(stages, runSeconds);
        var buffered = new BufferedStream(records, 1 << 16);
        var head = new byte[2];
        var read = buffered.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        var prefixed = new PrefixStream(head.AsMemory(0, read), buffered);
        using var input = read == 2 && head[0] == 0x1f && head[1] == 0x8b ? (Stream)new GZipStream(prefixed, CompressionMode.Decompress) : prefixed;
        timeline.ReadLines(input);
        timeline.Finish();
        return timeline;
    }

    private void ReadLines(Stream input)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            var filled = 0;
            while (true)
            {
                int n;
                try
                {
                    if (filled == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    n = input.Read(buffer, filled, buffer.Length - filled);
                }
                catch (InvalidDataException ex)
                {
                    Damage = ex.Message;
                    n = 0;
                }

                if (n == 0)
                {
                    if (filled > 0)
                    {
                        Line(buffer.AsSpan(0, filled));
                    }

                    return;
                }

                filled += n;
                var consumed = 0;
                int newline;
                while ((newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
                {
                    Line(buffer.AsSpan(consumed, newline));
                    consumed += newline + 1;
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        line = line.Trim((byte)'\r').Trim((byte)' ');
        if (line.IsEmpty)
        {
            return;
        }

        var record = default(Record);
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Malformed++;
                return;
            }

            // The writer puts what the page reads first; once it has all of it, the rest of the line is not parsed.
            while (!record.Complete && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("stage"u8))
                {
                    reader.Read();
                    record.Stage = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : 0;
                    record.HasStage = true;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    record.Status = reader.TokenType == JsonTokenType.String ? Status(ref reader) : 0;
                }
                else if (reader.ValueTextEquals("reason"u8))
                {
                    reader.Read();
                    record.Reason = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    record.Error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("sentMs"u8))
                {
                    record.SentMs = Number(ref reader);
                }
                else if (reader.ValueTextEquals("e2eMs"u8))
                {
                    record.E2eMs = Number(ref reader);
                }
                else if (reader.ValueTextEquals("ttftMs"u8))
                {
                    record.TtftMs = Number(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            Malformed++;
            return;
        }

        if (record.SentMs is not { } sent || !double.IsFinite(sent))
        {
            Malformed++;
            return;
        }

        Records++;
        Add(record, sent);
    }

    private void Add(in Record record, double sentMs)
    {
        var stagePosition = -1;
        for (var i = 0; i < StageIndexes.Count; i++)
        {
            if (StageIndexes[i] == record.Stage)
            {
                stagePosition = i;
                break;
            }
        }

        var start = (stagePosition >= 0 ? _offsets[stagePosition] : 0) + (sentMs / 1000.0);
        var end = start + (record.E2eMs is { } e2e && e2e >= 0 ? e2e / 1000.0 : 0);
        var first = Bin(start);
        var last = Bin(end);
        if (first == last)
        {
            _area[first] += end - start;
        }
        else
        {
            _area[first] += BinStart(first + 1) - start;
            _area[last] += end - BinStart(last);
            _fullDiff[first + 1] += 1;
            _fullDiff[last] -= 1;
        }

        switch (record.Status)
        {
            case 1:
                Successful++;
                if (record.TtftMs is { } ttft && double.IsFinite(ttft) && ttft >= 0)
                {
                    AddTtft(first, start, ttft);
                }

                break;
            case 2:
                Failed++;
                var reason = record.Reason ?? "unknown";
                if (!_failures.TryGetValue(reason, out var perBin))
                {
                    _failures[reason] = perBin = new long[Bins];
                }

                perBin[last]++;
                if (record.Error is { Length: > 0 } error)
                {
                    var message = error.Length > 200 ? error[..200] + "…" : error;
                    if (_messages.TryGetValue(message, out var count))
                    {
                        _messages[message] = count + 1;
                    }
                    else if (_messages.Count < MaxMessages)
                    {
                        _messages[message] = 1;
                    }
                }

                break;
        }
    }

    private void AddTtft(int bin, double t, double ttft)
    {
        TtftCount++;
        _seen[bin]++;
        var bucket = ttft <= CoarseBase ? 0 : Math.Min(CoarseBuckets - 1, (int)(Math.Log(ttft / CoarseBase) / CoarseStep));
        _coarse[(bin * CoarseBuckets) + bucket]++;
        if (TtftCount <= MaxSamples)
        {
            _reservoir[TtftCount - 1] = ((float)t, (float)ttft);
            return;
        }

        // Algorithm R: every request is kept with the same chance, so the points thin evenly where requests were dense.
        Sampled = true;
        var slot = _random.NextInt64(TtftCount);
        if (slot < MaxSamples)
        {
            _reservoir[slot] = ((float)t, (float)ttft);
        }
    }

    private void Finish()
    {
        InFlight = new double[Bins];
        var full = 0.0;
        for (var bin = 0; bin < Bins; bin++)
        {
            full += _fullDiff[bin];
            InFlight[bin] = (_area[bin] + (full * BinSeconds)) / BinSeconds;
        }
    }

    private int Bin(double t) => Math.Clamp((int)(t / BinSeconds), 0, Bins - 1);

    private static double? Number(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : null;
    }

    private static int Status(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("successful"u8) ? 1 : reader.ValueTextEquals("failed"u8) ? 2 : 3;

    private struct Record
    {
        public bool HasStage;
        public int Stage;
        public int Status;
        public string? Reason;
        public string? Error;
        public double? SentMs;
        public double? E2eMs;
        public double? TtftMs;

        /// <summary>Every field the page reads is known: a successful request's TTFT too (the writer puts it before its E2E).</summary>
        public readonly bool Complete => HasStage && Status != 0 && SentMs is not null && E2eMs is not null && (Status != 1 || TtftMs is not null) && (Status != 2 || Error is not null);
    }
}
