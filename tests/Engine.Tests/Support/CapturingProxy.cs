using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// A pass-through on a free loopback port in front of a real server (the simulator): keeps every request body as it
/// arrived and the answer text the server streamed back, by request id, with the arrival time, and streams the reply on
/// unchanged.
/// </summary>
public sealed class CapturingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private CapturingProxy(WebApplication app, HttpClient upstream, Uri address)
    {
        _app = app;
        _upstream = upstream;
        V1 = new Uri(address, "v1");
    }

    public Uri V1 { get; }

    public ConcurrentDictionary<string, Exchange> Exchanges { get; } = new(StringComparer.Ordinal);

    public static async Task<CapturingProxy> StartAsync(Uri upstreamV1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        CapturingProxy? proxy = null;
        app.MapGet("/v1/models", async context => await context.Response.WriteAsync(await upstream.GetStringAsync(new Uri(upstreamV1 + "/models"))));
        app.MapPost("/v1/{**path}", async context => await proxy!.ForwardAsync(context, new Uri(upstreamV1 + "/" + context.Request.RouteValues["path"])));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new CapturingProxy(app, upstream, new Uri(address.TrimEnd('/') + "/"));
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context, Uri target)
    {
        var arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var id = context.Request.Headers["X-Request-Id"].ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body.ToArray()) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Request-Id", id);
        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        var answer = new StringBuilder();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(context.RequestAborted));
        while (await reader.ReadLineAsync(context.RequestAborted) is { } line)
        {
            await context.Response.WriteAsync(line + "\n", context.RequestAborted);
            if (line.Length == 0)
            {
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line[6..]);
                if (chunk.RootElement.TryGetProperty("choices", out var choices))
                {
                    foreach (var choice in choices.EnumerateArray())
                    {
                        if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
                        {
                            answer.Append(c.GetString());
                        }
                        else if (choice.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                        {
                            answer.Append(t.GetString());
                        }
                    }
                }
            }
        }

        Exchanges[id] = new Exchange(id, JsonDocument.Parse(body.ToArray()), answer.ToString(), arrived);
    }

    public sealed record Exchange(string RequestId, JsonDocument Body, string Answer, long ArrivalTimestamp)
    {
        public IReadOnlyList<(string Role, string Content)> Messages =>
            [.. Body.RootElement.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))];

        public string LastUserText => Messages.Last(m => m.Role == "user").Content;
    }
}
