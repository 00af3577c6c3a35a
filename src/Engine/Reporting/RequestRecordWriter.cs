using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// Writes one JSON line per request, gzip-compressed, to a file as the run goes: per-request timings, tokens and
/// failure detail, with the phase it fell in. Only scalar figures are kept, so memory does not grow with the run.
/// </summary>
internal sealed class RequestRecordWriter : IRunObserver, IDisposable
{
    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;
    private bool _disposed;

    /// <summary>Creates (or truncates) <paramref name="path"/>.</summary>
    public RequestRecordWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        _gzip = new GZipStream(_file, CompressionLevel.Fastest);
        _json = new Utf8JsonWriter(_line);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Lines written.</summary>
    public long Count { get; private set; }

    /// <inheritdoc />
    public void OnStageStarted(StageContext stage)
    {
    }

    /// <inheritdoc />
    public void OnRequestStarted(StageContext stage)
    {
    }

    /// <inheritdoc />
    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _line.ResetWrittenCount();
            _json.Reset(_line);
            Write(stage, result, phase);
            _json.Flush();
            _gzip.Write(_line.WrittenSpan);
            _gzip.WriteByte((byte)'\n');
            Count++;
        }
    }

    /// <inheritdoc />
    public void OnStageCompleted(StageContext stage, BenchmarkReport report)
    {
    }

    /// <summary>Closes the file when the run ends, so later observers (the verdict) can read it whole.</summary>
    public Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
    {
        Dispose();
        return Task.FromResult(report);
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _json.Dispose();
            _gzip.Dispose();
            _file.Dispose();
        }
    }

    private void Write(StageContext stage, RequestResult r, RequestPhase phase)
    {
        var j = _json;
        double Offset(long ts) => (ts - stage.StartTimestamp) * 1000.0 / r.TimestampFrequency;
        j.WriteStartObject();
        j.WriteNumber("stage"u8, stage.Plan.Index);
        j.WriteNumber("index"u8, r.Index);
        j.WriteString("requestId"u8, r.RequestId);
        if (r.ConversationId is not null)
        {
            j.WriteString("conversationId"u8, r.ConversationId);
            j.WriteNumber("turn"u8, r.Turn ?? 0);
        }

        j.WriteString("status"u8, r.Status switch
        {
            RequestStatus.Successful => "successful",
            RequestStatus.Failed => "failed",
            _ => "incomplete",
        });
        j.WriteString("phase"u8, phase switch
        {
            RequestPhase.Warmup => "warmup",
            RequestPhase.Cooldown => "cooldown",
            _ => "measured",
        });
        if (r.Reason is { } reason)
        {
            j.WriteString("reason"u8, FailureReasons.Format(reason));
        }

        if (r.Error is not null)
        {
            j.WriteString("error"u8, r.Error);
        }

        j.WriteNumber("httpStatus"u8, r.HttpStatus);
        j.WriteNumber("scheduledMs"u8, Math.Round(Offset(r.ScheduledTimestamp), 3));
        j.WriteNumber("sentMs"u8, Math.Round(Offset(r.SentTimestamp), 3));
        j.WriteNumber("dispatchDelayMs"u8, Math.Round(r.DispatchDelayMs, 3));
        if (r.ConnectMs is { } connect)
        {
            j.WriteNumber("connectMs"u8, Math.Round(connect, 3));
        }

        if (r.TtftMs is { } ttft)
        {
            j.WriteNumber("ttftMs"u8, Math.Round(ttft, 3));
        }

        if (r.TtfoMs is { } ttfo)
        {
            j.WriteNumber("ttfoMs"u8, Math.Round(ttfo, 3));
        }

        j.WriteNumber("e2eMs"u8, Math.Round(r.E2eMs, 3));
        if (r.TpotMs is { } tpot)
        {
            j.WriteNumber("tpotMs"u8, Math.Round(tpot, 3));
        }

        if (r.ItlCount > 0)
        {
            var gaps = r.ItlMicros;
            long sum = 0;
            var max = 0;
            foreach (var g in gaps)
            {
                sum += g;
                max = Math.Max(max, g);
            }

            j.WriteNumber("itlMeanMs"u8, Math.Round(sum / 1000.0 / gaps.Length, 3));
            j.WriteNumber("itlMaxMs"u8, max / 1000.0);
        }

        j.WriteNumber("promptTokens"u8, r.PromptTokens);
        j.WriteNumber("promptTokensTarget"u8, r.PromptTokensTarget);
        j.WriteNumber("outputTokens"u8, r.OutputTokens);
        j.WriteNumber("outputTokensTarget"u8, r.OutputTokensTarget);
        j.WriteString("outputSource"u8, r.OutputTokenSource switch
        {
            TokenSource.Usage => "usage",
            TokenSource.Chunks => "chunks",
            _ => "none",
        });
        j.WriteNumber("contentChunks"u8, r.ContentChunks);
        if (r.UsageReasoningTokens >= 0)
        {
            j.WriteNumber("reasoningTokens"u8, r.UsageReasoningTokens);
        }

        if (r.RetryAfter is { } retry)
        {
            j.WriteNumber("retryAfterSeconds"u8, retry.TotalSeconds);
        }

        j.WriteEndObject();
    }
}
