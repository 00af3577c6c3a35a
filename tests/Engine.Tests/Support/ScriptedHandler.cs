using System.Net;
using System.Net.Http.Headers;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// An HTTP seam for replaying recorded server replies byte for byte (dialects a local server cannot produce).
/// Each request gets the reply made by <see cref="Respond"/>; requests are recorded.
/// </summary>
public sealed class ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public List<HttpRequestMessage> Requests { get; } = [];

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Respond { get; } = respond;

    public static ScriptedHandler Sse(byte[] body, params int[] readSizes) => new((_, _) =>
        Task.FromResult(Reply(HttpStatusCode.OK, new StreamContent(new TrickleStream(body, readSizes)), "text/event-stream")));

    public static HttpResponseMessage Reply(HttpStatusCode status, HttpContent content, string mediaType)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return new HttpResponseMessage(status) { Content = content };
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }

        return Respond(request, cancellationToken);
    }
}
