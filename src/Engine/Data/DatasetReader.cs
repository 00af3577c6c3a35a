using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Reads a dataset's records as a stream, never the whole file: in file order, or in a seeded shuffle. The shuffle is an
/// index of record offsets: one pass over the file keeps the byte offset of each well-formed record (8 bytes a record,
/// whatever its size), the offsets are permuted with the seed (Fisher-Yates), and each record is read at its offset. That
/// is a uniform permutation, the same for the same seed, at the cost of 8 bytes per record and a seek per record; a
/// window (reservoir) shuffle would keep whole records in memory and only move them within the window. A malformed record
/// is skipped with a warning naming its line and counted once; a file that is mostly malformed is refused.
/// </summary>
internal sealed class DatasetReader
{
    /// <summary>Records examined when the dataset is opened, to tell its format and refuse a mostly malformed file.</summary>
    public const int SampleRecords = 1000;

    /// <summary>Malformed lines logged one by one; the rest are counted.</summary>
    public const int LoggedMalformed = 20;

    private readonly DatasetSpec _spec;
    private readonly DatasetOpener _opener;
    private readonly ILogger _logger;
    private readonly RecordParser _parser;
    private readonly long _dataOffset;
    private readonly long _dataLine;
    private readonly Lock _lock = new();
    private readonly List<long> _malformedLines = [];
    private long[]? _offsets;
    private long _malformed;
    private long _lastCountedLine;

    private DatasetReader(DatasetSpec spec, DatasetOpener opener, ILogger logger, RecordParser parser, long dataOffset, long dataLine)
    {
        _spec = spec;
        _opener = opener;
        _logger = logger;
        _parser = parser;
        _dataOffset = dataOffset;
        _dataLine = dataLine;
    }

    /// <summary>The dataset read.</summary>
    public DatasetSpec Spec => _spec;

    /// <summary>The format, as given or detected.</summary>
    public DatasetFormat Format => _parser.Format;

    /// <summary>Malformed records met so far (each counted once).</summary>
    public long Malformed
    {
        get
        {
            lock (_lock)
            {
                return _malformed;
            }
        }
    }

    /// <summary>The lines of the first malformed records.</summary>
    public IReadOnlyList<long> MalformedLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _malformedLines];
            }
        }
    }

    /// <summary>Opens <paramref name="spec"/>: tells its format and examines its first <see cref="SampleRecords"/> records.</summary>
    /// <exception cref="DatasetException">It cannot be read, its format cannot be told, or most of those records are malformed.</exception>
    public static DatasetReader Open(DatasetSpec spec, DatasetOpener opener, ILogger logger)
    {
        using var stream = opener.Open(spec, 0);
        using var scanner = new RecordScanner(stream, csv: spec.Format is DatasetFormat.Csv or DatasetFormat.AzureTrace);
        if (!scanner.Next(out var first) || first.TooLong)
        {
            throw new DatasetException(first.TooLong ? $"dataset {spec.Location}: its first record is too long" : $"dataset {spec.Location}: the file is empty");
        }

        var parser = RecordParser.Create(spec, first.Bytes.Span);

        // A CSV's data starts where its header's bytes end: the scanner takes the rest of that line for a blank record.
        var dataOffset = RecordParser.IsCsv(parser.Format) ? first.Offset + first.Bytes.Length : first.Offset;
        var reader = new DatasetReader(spec, opener, logger, parser, dataOffset, first.Line);
        reader.CheckSample();
        return reader;
    }

    /// <summary>
    /// The well-formed records of one pass over the dataset (<paramref name="pass"/> from 0): in file order, or, for a shuffle
    /// (unless <paramref name="fileOrder"/>), in the permutation of <paramref name="seed"/> and the pass.
    /// </summary>
    public IEnumerable<DatasetRecord> Pass(int pass, int seed, bool fileOrder, CancellationToken cancellationToken) =>
        _spec.Order == DatasetOrder.Shuffle && !fileOrder ? Shuffled(pass, seed, cancellationToken) : Sequential(cancellationToken);

    private IEnumerable<DatasetRecord> Sequential(CancellationToken cancellationToken)
    {
        using var stream = _opener.Open(_spec, _dataOffset);
        using var scanner = new RecordScanner(stream, RecordParser.IsCsv(_parser.Format), _dataOffset, _dataLine);
        while (!cancellationToken.IsCancellationRequested && scanner.Next(out var scanned))
        {
            if (Read(scanned) is { } record)
            {
                yield return record;
            }
        }
    }

    private IEnumerable<DatasetRecord> Shuffled(int pass, int seed, CancellationToken cancellationToken)
    {
        var offsets = _offsets ??= Index(cancellationToken);
        var order = (long[])offsets.Clone();
        new Random(Load.SyntheticRequestSource.Mix(seed, pass, 0x5EED)).Shuffle(order);
        using var stream = _opener.Open(_spec, _dataOffset);
        foreach (var offset in order)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            stream.Seek(offset, SeekOrigin.Begin);
            using var scanner = new RecordScanner(stream, RecordParser.IsCsv(_parser.Format), offset, 0);
            if (scanner.Next(out var scanned) && _parser.Parse(0, scanned.Bytes.Span, out _) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>The offsets of the well-formed records, in file order; malformed ones are counted on the way.</summary>
    private long[] Index(CancellationToken cancellationToken)
    {
        var offsets = new List<long>();
        using var stream = _opener.Open(_spec, _dataOffset);
        using var scanner = new RecordScanner(stream, RecordParser.IsCsv(_parser.Format), _dataOffset, _dataLine);
        while (!cancellationToken.IsCancellationRequested && scanner.Next(out var scanned))
        {
            if (Read(scanned) is not null)
            {
                offsets.Add(scanned.Offset);
            }
        }

        return offsets.Count > 0 ? [.. offsets] : throw new DatasetException($"dataset {_spec.Location}: no well-formed record");
    }

    private void CheckSample()
    {
        using var stream = _opener.Open(_spec, _dataOffset);
        using var scanner = new RecordScanner(stream, RecordParser.IsCsv(_parser.Format), _dataOffset, _dataLine);
        var (good, bad) = (0, 0);
        while (good + bad < SampleRecords && scanner.Next(out var scanned))
        {
            _ = scanned.TooLong || _parser.Parse(scanned.Line, scanned.Bytes.Span, out _) is null ? bad++ : good++;
        }

        if (good == 0 || bad > good)
        {
            throw new DatasetException($"dataset {_spec.Location}: {bad} of its first {good + bad} records are not {DatasetNames.Formats.Format(_parser.Format)} records; refused as mostly malformed");
        }
    }

    private DatasetRecord? Read(ScannedRecord scanned)
    {
        string? error = "longer than the 64 MiB a record may take";
        var record = scanned.TooLong ? null : _parser.Parse(scanned.Line, scanned.Bytes.Span, out error);
        if (record is null)
        {
            Count(scanned.Line, error ?? "malformed");
        }

        return record;
    }

    private void Count(long line, string error)
    {
        lock (_lock)
        {
            // A later pass meets the same lines again: each is counted, and logged, once.
            if (line <= _lastCountedLine)
            {
                return;
            }

            _lastCountedLine = line;
            _malformed++;
            if (_malformedLines.Count < LoggedMalformed)
            {
                _malformedLines.Add(line);
                DataLog.MalformedRecord(_logger, _spec.Location, line, error);
            }
            else if (_malformed == LoggedMalformed + 1)
            {
                DataLog.MoreMalformed(_logger, _spec.Location);
            }
        }
    }
}
