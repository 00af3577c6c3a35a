using System.Text;
using CsCheck;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>
/// Property tests of the HTTP/1.1 response parser, as the SSE parser is fuzzed: the status line, the headers and the
/// chunked framing, cut into reads of any size. A well-formed response is read exactly; anything else ends in an
/// <see cref="HttpRequestException"/> before the body or an <see cref="IOException"/> while it is read, with a message
/// that names the fault and holds nothing unprintable, and never hangs.
/// </summary>
public sealed class Http1ResponseFuzzTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly Gen<int[]> ReadSizes = Gen.Int[1, 64].Array[1, 8];

    /// <summary>A body's bytes (text with CR, LF and NUL among them).</summary>
    private static readonly Gen<byte[]> Payload = Gen.OneOf(Gen.Byte.Array[0, 300], Gen.String[Gen.Char["ab\r\n\0:;"], 0, 100].Select(Encoding.Latin1.GetBytes));

    /// <summary>A chunk size line for <paramref name="size"/>: hex in either case, padded with zeros, with or without an extension.</summary>
    private static string SizeLine(int size, int style) =>
        new string('0', style % 4) + size.ToString((style & 4) == 0 ? "x" : "X", System.Globalization.CultureInfo.InvariantCulture) + ((style & 8) == 0 ? string.Empty : ";a=b") + "\r\n";

    /// <summary>A payload chunk-encoded in random pieces, with or without trailers.</summary>
    private static Gen<(byte[] Payload, byte[] Wire)> Chunked =>
        Gen.Select(Payload, Gen.Int[1, 40].Array[1, 20], Gen.Int[0, 15].Array[1, 20], Gen.Bool).Select((payload, cuts, styles, trailers) =>
        {
            var wire = new List<byte>();
            for (int at = 0, i = 0; at < payload.Length; i++)
            {
                var n = Math.Min(payload.Length - at, cuts[i % cuts.Length]);
                wire.AddRange(Encoding.ASCII.GetBytes(SizeLine(n, styles[i % styles.Length])));
                wire.AddRange(payload.AsSpan(at, n).ToArray());
                wire.AddRange("\r\n"u8.ToArray());
                at += n;
            }

            wire.AddRange(trailers ? "0\r\nX-Trailer: t\r\n\r\n"u8.ToArray() : "0\r\n\r\n"u8.ToArray());
            return (payload, wire.ToArray());
        });

    /// <summary>Headers a server may send beside the framing ones.</summary>
    private static readonly Gen<string> OtherHeader = OneOf(
        "Content-Type: text/event-stream\r\n", "Content-Type: application/json; charset=utf-8\r\n", "Connection: keep-alive\r\n",
        "Retry-After: 3\r\n", "X-Empty:\r\n", "Server: uvicorn\r\n", "Date: Sun, 29 Nov 2026 05:33:00 GMT\r\n");

    /// <summary>A well-formed response: status line, headers in any order, and a chunked or Content-Length body.</summary>
    private static Gen<(byte[] Payload, byte[] Wire)> WellFormed =>
        Gen.Select(OneOf("HTTP/1.1 200 OK", "HTTP/1.1 200", "HTTP/1.0 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 500 Internal Server Error"),
            OtherHeader.Array[0, 4], Gen.Bool, Gen.Bool, Chunked, Payload).Select((status, others, chunked, interim, chunkedBody, plain) =>
        {
            var head = new StringBuilder(interim ? "HTTP/1.1 100 Continue\r\n\r\n" : string.Empty).Append(status).Append("\r\n");
            foreach (var header in others)
            {
                head.Append(header);
            }

            var (payload, body) = chunked ? chunkedBody : (Payload: plain, Wire: plain);
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {plain.Length}\r\n").Append("\r\n");
            return (payload, (byte[])[.. Encoding.Latin1.GetBytes(head.ToString()), .. body]);
        });

    /// <summary>A well-formed response with a few bytes deleted, replaced or inserted (often where the framing is).</summary>
    private static Gen<byte[]> Broken =>
        Gen.Select(WellFormed, Gen.Int[0, 10_000].Array[1, 4], Gen.Byte.Array[1, 4], Gen.Int[0, 2]).Select((response, places, bytes, kind) =>
        {
            var wire = response.Wire.ToList();
            foreach (var place in places)
            {
                var at = place % Math.Max(1, wire.Count);
                switch (kind)
                {
                    case 0 when wire.Count > 0:
                        wire.RemoveAt(at);
                        break;
                    case 1 when wire.Count > 0:
                        wire[at] = bytes[0];
                        break;
                    default:
                        wire.InsertRange(at, bytes);
                        break;
                }
            }

            return wire.ToArray();
        });

    private static readonly Gen<byte[]> Anything = Gen.OneOf(
        Broken,
        Gen.Byte.Array[0, 200],
        Gen.String[Gen.Char["HTP/1. 0239\r\n:;-abcfhnkdeotglsrCTLE"], 0, 200].Select(Encoding.Latin1.GetBytes));

    private static Gen<string> OneOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    [Fact]
    public async Task A_well_formed_response_is_read_exactly_however_its_bytes_arrive()
    {
        await Gen.Select(WellFormed, ReadSizes).SampleAsync(async (response, sizes) =>
        {
            var peer = ScriptedPeer.Answering(response.Wire, sizes);

            var (_, body) = await peer.ExchangeAsync().WaitAsync(Patience);

            Assert.Equal(response.Payload, Encoding.Latin1.GetBytes(body));
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public async Task Any_bytes_end_in_a_response_or_an_error_naming_the_fault()
    {
        await Gen.Select(Anything, ReadSizes).SampleAsync(async (wire, sizes) =>
        {
            var peer = ScriptedPeer.Answering(wire, sizes);
            try
            {
                await peer.ExchangeAsync().WaitAsync(Patience);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded)
            {
                AssertNames(ex.Message);
            }
            catch (IOException ex)
            {
                AssertNames(ex.Message);
            }
        }, iter: 5000, threads: 1);
    }

    [Fact]
    public void The_head_parser_returns_a_head_or_an_invalid_response_for_any_bytes()
    {
        Gen.OneOf(Anything, WellFormed.Select(r => r.Wire)).Sample(wire =>
        {
            var end = wire.AsSpan().IndexOf("\r\n\r\n"u8);
            try
            {
                var head = Http1ResponseHead.Parse(end < 0 ? wire : wire.AsSpan(0, end));
                Assert.InRange(head.StatusCode, 100, 999);
                Assert.True(head.Framing != Http1BodyFraming.Length || head.ContentLength >= 0);
            }
            catch (HttpRequestException ex)
            {
                Assert.Equal(HttpRequestError.InvalidResponse, ex.HttpRequestError);
                AssertNames(ex.Message);
            }
        }, iter: 5000, threads: 1);
    }

    /// <summary>A message says something, and nothing from the wire that a terminal or a log line would act on.</summary>
    private static void AssertNames(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain(message, char.IsControl);
    }
}
