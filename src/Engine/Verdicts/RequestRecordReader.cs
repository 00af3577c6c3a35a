using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// Streams a run's per-request records (gzip JSON lines, as <see cref="Reporting.RequestRecordWriter"/> writes them) one
/// line at a time through a reused buffer: memory does not grow with the number of records.
/// </summary>
internal static class RequestRecordReader
{
    private static readonly string[] Statuses = ["successful", "failed", "incomplete"];

    /// <summary>Reads every record of the gzip stream <paramref name="gzip"/>, in file order, into <paramref name="onRecord"/>; returns how many.</summary>
    /// <exception cref="InvalidDataException">The stream is not gzip, or a line is not a record; the message names the line.</exception>
    public static async Task<long> ReadAsync(Stream gzip, Action<RecordFields> onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gzip);
        ArgumentNullException.ThrowIfNull(onRecord);
        var stream = new GZipStream(gzip, CompressionMode.Decompress, leaveOpen: true);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                long lines = 0;
                var filled = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    int read;
                    try
                    {
                        read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new InvalidDataException($"not a gzip file of request records ({ex.Message})", ex);
                    }

                    filled += read;
                    var start = 0;
                    int newline;
                    while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                    {
                        Parse(buffer.AsSpan(start, newline), ++lines, onRecord);
                        start += newline + 1;
                    }

                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                    if (read == 0)
                    {
                        if (filled > 0)
                        {
                            Parse(buffer.AsSpan(0, filled), ++lines, onRecord);
                        }

                        return lines;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static void Parse(ReadOnlySpan<byte> line, long number, Action<RecordFields> onRecord)
    {
        if (line.Trim((byte)'\r').IsEmpty)
        {
            return;
        }

        int? stage = null;
        var measured = true;
        string? status = null;
        double sent = 0, e2e = 0;
        double? ttft = null, tpot = null;
        var tokens = 0;
        try
        {
            var json = new Utf8JsonReader(line);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException($"request record line {number} is not a JSON object");
            }

            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                if (json.ValueTextEquals("stage"u8))
                {
                    json.Read();
                    stage = json.GetInt32();
                }
                else if (json.ValueTextEquals("phase"u8))
                {
                    json.Read();
                    measured = json.ValueTextEquals("measured"u8);
                }
                else if (json.ValueTextEquals("status"u8))
                {
                    json.Read();
                    foreach (var known in Statuses)
                    {
                        if (json.ValueTextEquals(known))
                        {
                            status = known;
                            break;
                        }
                    }
                }
                else if (json.ValueTextEquals("sentMs"u8))
                {
                    json.Read();
                    sent = json.GetDouble();
                }
                else if (json.ValueTextEquals("ttftMs"u8))
                {
                    json.Read();
                    ttft = json.GetDouble();
                }
                else if (json.ValueTextEquals("tpotMs"u8))
                {
                    json.Read();
                    tpot = json.GetDouble();
                }
                else if (json.ValueTextEquals("e2eMs"u8))
                {
                    json.Read();
                    e2e = json.GetDouble();
                }
                else if (json.ValueTextEquals("outputTokens"u8))
                {
                    json.Read();
                    tokens = json.GetInt32();
                }
                else
                {
                    json.Read();
                    json.TrySkip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"request record line {number} is not valid JSON ({ex.Message})", ex);
        }

        if (stage is not { } s || status is null)
        {
            throw new InvalidDataException($"request record line {number} lacks its stage or status");
        }

        onRecord(new RecordFields(s, measured, status, sent, ttft, tpot, e2e, tokens));
    }
}
