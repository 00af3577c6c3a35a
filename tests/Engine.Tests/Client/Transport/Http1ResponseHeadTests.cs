using System.Text;
using GuidellmFunctions.Engine.Client.Transport;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

public sealed class Http1ResponseHeadTests
{
    private static Http1ResponseHead Parse(string head) => Http1ResponseHead.Parse(Encoding.Latin1.GetBytes(head));

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 12", 200, "Length", 12, true)]
    [InlineData("HTTP/1.1 200\r\ncontent-length:   7  ", 200, "Length", 7, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5", 200, "Chunked", -1, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked", 200, "Chunked", -1, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip", 200, "UntilClose", -1, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/json", 200, "UntilClose", -1, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive, Close", 200, "Length", 3, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3", 200, "Length", 3, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: Keep-Alive", 200, "Length", 3, true)]
    [InlineData("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked", 204, "Length", 0, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10", 304, "Length", 0, true)]
    [InlineData("HTTP/1.1 100 Continue", 100, "Length", 0, true)]
    public void Framing_follows_RFC_9112(string head, int status, string framing, long length, bool keepAlive)
    {
        var parsed = Parse(head);

        Assert.Equal(status, parsed.StatusCode);
        Assert.Equal(framing, parsed.Framing.ToString());
        Assert.Equal(length, parsed.ContentLength);
        Assert.Equal(keepAlive, parsed.KeepAlive);
    }

    [Theory]
    [InlineData("Content-Type: text/event-stream; charset=utf-8", "text/event-stream")]
    [InlineData("Content-Type: APPLICATION/JSON", "application/json")]
    [InlineData("Content-Type:text/plain;charset=utf-8", "text/plain")]
    public void The_media_type_is_read_without_parameters(string header, string mediaType)
    {
        Assert.Equal(mediaType, Parse("HTTP/1.1 200 OK\r\n" + header).MediaType);
    }

    [Fact]
    public void Retry_after_is_kept_as_sent()
    {
        Assert.Equal("120", Parse("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0").RetryAfter);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2", "invalid status line 'SSH-2.0-OpenSSH_9.2'")]
    [InlineData("HTTP/1.1 2000 OK", "invalid status line")]
    [InlineData("HTTP/1.1 20 OK", "invalid status line")]
    [InlineData("HTTP/2 200", "invalid status line")]
    [InlineData("HTTP/1.1 099 Low", "invalid status line")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1", "invalid Content-Length '-1'")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1x", "invalid Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4", "invalid Content-Length '4'")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here", "invalid header line 'no colon here'")]
    [InlineData("HTTP/1.1 200 OK\r\nName : value", "invalid header line")]
    [InlineData("HTTP/1.1 200 OK\r\n folded: value", "invalid header line")]
    public void An_invalid_head_is_an_invalid_response_naming_what_is_wrong(string head, string message)
    {
        var ex = Assert.Throws<HttpRequestException>(() => Parse(head));

        Assert.Equal(HttpRequestError.InvalidResponse, ex.HttpRequestError);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprintable_bytes_in_an_error_are_masked_and_long_lines_cut()
    {
        var ex = Assert.Throws<HttpRequestException>(() => Http1ResponseHead.Parse([0x16, 0x03, 0x01, .. Encoding.ASCII.GetBytes(new string('x', 200))]));

        Assert.Contains("'???xxx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("…'", ex.Message, StringComparison.Ordinal);
    }
}
