using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GuidellmFunctions.Simulator.Metrics;
using GuidellmFunctions.Simulator.Serving;
using GuidellmFunctions.Simulator.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Simulator;

/// <summary>
/// A running simulated vLLM server: <c>/v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/models</c>, <c>/health</c>
/// and a vLLM-named <c>/metrics</c>. Keeps server-side ground truth for every request.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions GroundTruthJson = new(JsonSerializerDefaults.Web);
    private static readonly byte[] Newline = "\n"u8.ToArray();

    private readonly WebApplication _app;
    private readonly X509Certificate2? _certificate;

    private SimulatorServer(WebApplication app, X509Certificate2? certificate, SimulatorOptions options, Uri baseAddress, VllmMetrics metrics, GroundTruth truth)
    {
        _app = app;
        _certificate = certificate;
        Options = options;
        BaseAddress = baseAddress;
        Metrics = metrics;
        GroundTruth = truth;
    }

    /// <summary>The options it runs with.</summary>
    public SimulatorOptions Options { get; }

    /// <summary>Where it listens, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The <c>/v1</c> base URL a client config points at.</summary>
    public Uri V1 => new(BaseAddress, "v1");

    /// <summary>Server-side metrics.</summary>
    public VllmMetrics Metrics { get; }

    /// <summary>Server-side per-request records.</summary>
    public GroundTruth GroundTruth { get; }

    /// <summary>Starts a simulator with <paramref name="options"/>; logs go to <paramref name="logging"/> (none by default).</summary>
    public static async Task<SimulatorServer> StartAsync(SimulatorOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var certificate = options.Tls ? SelfSignedCertificate.Create(options.Host) : null;
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.AddServerHeader = false;
            if (certificate is not null)
            {
                k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        if (certificate is not null)
        {
            // The slim builder leaves HTTPS out unless asked.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.UseUrls($"{(certificate is null ? "http" : "https")}://{options.Host}:{options.Port}");
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        var metrics = new VllmMetrics(options.Model, options.MaxBatch);
        var truth = new GroundTruth(options.GroundTruthCapacity);
        var handler = new CompletionHandler(options, metrics, truth, TimeProvider.System);

        app.MapPost("/v1/chat/completions", context => handler.HandleAsync(context, chat: true));
        app.MapPost("/v1/completions", context => handler.HandleAsync(context, chat: false));
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = options.Model, @object = "model", created = 0, owned_by = "vllm", root = options.Model, max_model_len = 32768 } },
        }));
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));

        // For a client in another process (the benchmarks) to check its measurements against the server's.
        app.MapGet("/debug/ground-truth", async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            foreach (var record in truth.Records)
            {
                await JsonSerializer.SerializeAsync(context.Response.Body, record, GroundTruthJson, context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync(Newline, context.RequestAborted).ConfigureAwait(false);
            }
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            certificate?.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorServer(app, certificate, options, new Uri(address.EndsWith('/') ? address : address + "/"), metrics, truth);
    }

    /// <summary>Waits until the server stops (Ctrl+C or <paramref name="cancellationToken"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // In-flight streams (a stalled one, say) are cut when the grace period ends.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
    }
}
