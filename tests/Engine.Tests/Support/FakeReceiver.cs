using System.Collections.Concurrent;
using GuidellmFunctions.Engine.Export;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Snappier;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A remote_write receiver on 127.0.0.1 that decodes what it is sent and answers from a script (status, Retry-After),
/// 204 once the script is used up. For fault cases a real Prometheus cannot be made to produce on demand.
/// </summary>
internal sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter, string Body)> _script = new();

    private FakeReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>How long each answer takes (a slow receiver).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>
    /// Answer as Prometheus 2.42 without <c>--enable-feature=native-histograms</c> does: 500 "native histograms are
    /// disabled" to a body holding any native histogram, storing none of it.
    /// </summary>
    public bool RefuseNative { get; set; }

    public ConcurrentQueue<(IHeaderDictionary Headers, IReadOnlyList<SeriesData> Series, int Status)> Requests { get; } = new();

    public IEnumerable<SeriesData> Accepted => Requests.Where(r => r.Status is >= 200 and < 300).SelectMany(r => r.Series);

    public void Then(int status, string? retryAfter = null, string body = "") => _script.Enqueue((status, retryAfter, body));

    public static async Task<FakeReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        FakeReceiver? receiver = null;
        app.MapPost("/api/v1/write", async context =>
        {
            await Task.Delay(receiver!.Delay);
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var series = WriteRequestEncoder.Decode(Snappy.DecompressToArray(buffer.ToArray()));
            var (status, retryAfter, body) = receiver!.RefuseNative && series.Any(s => s.Histograms.Count > 0) ? (500, null, "native histograms are disabled")
                : receiver._script.TryDequeue(out var step) ? step : (204, null, string.Empty);
            receiver.Requests.Enqueue((new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), series, status));
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            if (body.Length > 0)
            {
                // Kestrel refuses a body on a 204 and then drops the connection, which a client could meet on its next request.
                await context.Response.WriteAsync(body);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new FakeReceiver(app, new Uri(address.TrimEnd('/') + "/api/v1/write"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
