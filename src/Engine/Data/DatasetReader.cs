using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Diagnostics;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Reads a dataset's records as a stream, never the whole file: in file order, or in a seeded shuffle whose memory does not
/// grow with the file. The shuffle cuts the file into blocks of whole records (a block starts at the first record at least
/// <see cref="BlockBytes"/> after the previous block's start; one pass over the file keeps each block's byte offset, 8
/// bytes per 256 KiB of file), takes the blocks in a random order, and mixes the records of up to
/// <see cref="WindowBytes"/> of consecutive blocks of that order at a time: every record once per pass, in an order the
/// seed and the pass decide. It is not a uniform permutation: records near each other in the file tend to come out within
/// one window; a file smaller than a window is shuffled uniformly. A malformed record is skipped with a warning naming its
/// line and counted once; a file that is mostly malformed is refused.
/// </summary>
internal sealed class DatasetReader
{
    /// <summary>Records examined when the dataset is opened, to tell its format and refuse a mostly malformed file.</summary>
    public const int SampleRecords = 1000;

    /// <summary>The least bytes of a shuffle's block (its last record may take it further).</summary>
    public const int BlockBytes = 256 * 1024;

    /// <summary>The bytes of the blocks whose records a shuffle mixes at a time (at least one block).</summary>
    public const int WindowBytes = 4 * 1024 * 1024;

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
    private readonly int _blockBytes;
    private readonly int _windowBytes;
    private long[]? _blocks;
    private long _malformed;
    private long _lastCountedLine;

    private DatasetReader(DatasetSpec spec, DatasetOpener opener, ILogger logger, RecordParser parser, long dataOffset, long dataLine, int blockBytes, int windowBytes)
    {
        _blockBytes = blockBytes;
        _windowBytes = windowBytes;
        _spec = spec;
        _opener = opener;
        _logger = logger;
        _parser = parser;
        _dataOffset = dataOffset;
        _dataLine = dataLine;
    }

    /// <summary>The dataset read.</summary>
    public DatasetSpec Spec => _spec;

    /// <summary>The blocks a shuffle takes in a random order; 0 until a shuffled pass has indexed them.</summary>
    internal int ShuffleBlocks => _blocks?.Length ?? 0;

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
    public static DatasetReader Open(DatasetSpec spec, DatasetOpener opener, ILogger logger) => Open(spec, opener, logger, BlockBytes, WindowBytes);

    /// <summary><see cref="Open(DatasetSpec, DatasetOpener, ILogger)"/> with a shuffle's blocks and windows of the sizes given (tests use small ones).</summary>
    internal static DatasetReader Open(DatasetSpec spec, DatasetOpener opener, ILogger logger, int blockBytes, int windowBytes)
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
        var reader = new DatasetReader(spec, opener, logger, parser, dataOffset, first.Line, blockBytes, windowBytes);
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
        var blocks = _blocks ??= Index(cancellationToken);
        var random = new Random(Load.SyntheticRequestSource.Mix(seed, pass, 0x5EED));
        var order = new int[blocks.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        var csv = RecordParser.IsCsv(_parser.Format);
        var window = new List<byte[]>();
        using var stream = _opener.Open(_spec, _dataOffset);
        for (var next = 0; next < order.Length;)
        {
            window.Clear();
            for (var held = 0L; next < order.Length && (held == 0 || held < _windowBytes); next++)
            {
                var block = order[next];
                var end = block + 1 < blocks.Length ? blocks[block + 1] : long.MaxValue;
                stream.Seek(blocks[block], SeekOrigin.Begin);
                using var scanner = new RecordScanner(stream, csv, blocks[block], 0);
                while (scanner.Next(out var scanned) && scanned.Offset < end)
                {
                    if (!scanned.TooLong)
                    {
                        window.Add(scanned.Bytes.ToArray());
                        held += scanned.Bytes.Length;
                    }
                }
            }

            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(window));
            foreach (var bytes in window)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                // Malformed records were counted, and logged with their lines, when the blocks were indexed.
                if (_parser.Parse(0, bytes, out _) is { } record)
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>The offsets where the shuffle's blocks start, in file order; malformed records are counted on the way.</summary>
    private long[] Index(CancellationToken cancellationToken)
    {
        var blocks = new List<long>();
        var wellFormed = false;
        using var stream = _opener.Open(_spec, _dataOffset);
        using var scanner = new RecordScanner(stream, RecordParser.IsCsv(_parser.Format), _dataOffset, _dataLine);
        while (!cancellationToken.IsCancellationRequested && scanner.Next(out var scanned))
        {
            if (blocks.Count == 0 || scanned.Offset - blocks[^1] >= _blockBytes)
            {
                blocks.Add(scanned.Offset);
            }

            wellFormed |= Read(scanned) is not null;
        }

        return wellFormed ? [.. blocks] : throw new DatasetException($"dataset {_spec.Location}: no well-formed record");
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
