using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GuidellmFunctions.Simulator.Metrics;
using GuidellmFunctions.Simulator.Scheduling;
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

    private readonly CompletionHandler _handler;
    private readonly WebApplication _app;
    private readonly X509Certificate2? _certificate;
    private readonly StepScheduler _scheduler;
    private readonly StrongBox<long> _connections;

    private SimulatorServer(WebApplication app, X509Certificate2? certificate, StepScheduler scheduler, SimulatorOptions options, Uri baseAddress, VllmMetrics metrics, GroundTruth truth, CompletionHandler handler, StrongBox<long> connections)
    {
        _connections = connections;
        _handler = handler;
        _app = app;
        _certificate = certificate;
        _scheduler = scheduler;
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

    /// <summary>Completion requests received, refused ones included (a refused request leaves no ground-truth record).</summary>
    public long CompletionRequestsReceived => _handler.Received;

    /// <summary>TCP connections accepted since the start (counted before any TLS handshake).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connections.Value);

    /// <summary>Starts a simulator with <paramref name="options"/>; logs go to <paramref name="logging"/> (none by default).</summary>
    /// <exception cref="ArgumentException">The options are not usable; the message lists every problem.</exception>
    public static Task<SimulatorServer> StartAsync(SimulatorOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, TimeProvider.System, logging, cancellationToken);

    /// <summary>
    /// Starts a simulator whose engine runs on <paramref name="time"/> (a fake clock in tests: no step ends until the
    /// clock is advanced past it); logs go to <paramref name="logging"/> (none by default).
    /// </summary>
    /// <exception cref="ArgumentException">The options are not usable; the message lists every problem.</exception>
    public static async Task<SimulatorServer> StartAsync(SimulatorOptions options, TimeProvider time, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"simulator options have {errors.Count} problem(s): {string.Join("; ", errors)}", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var certificate = options.Tls ? SelfSignedCertificate.Create(options.Host) : null;
        var connections = new StrongBox<long>();
        builder.WebHost.UseKestrel(k =>
        {
            k.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref connections.Value);
                return next(connection);
            }));
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
        builder.Services.AddSingleton(time);
        var app = builder.Build();
        var metrics = new VllmMetrics(options, time);
        var scheduler = new StepScheduler(options, metrics, time);
        var truth = new GroundTruth(options.GroundTruthCapacity);
        var handler = new CompletionHandler(options, scheduler, truth, time);
        var models = ModelList(options, time.GetUtcNow().ToUnixTimeSeconds());

        app.MapPost("/v1/chat/completions", context => handler.HandleAsync(context, chat: true));
        app.MapPost("/v1/completions", context => handler.HandleAsync(context, chat: false));
        // vLLM started with --api-key guards every /v1 route, the model list included.
        app.MapGet("/v1/models", (HttpContext context) => !options.Authorized(context.Request.Headers.Authorization.ToString())
            ? Results.Json(new Dictionary<string, string> { ["error"] = "Unauthorized" }, statusCode: 401)
            : Results.Text(models, "application/json"));
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/version", () => Results.Json(new { version = options.MetricsNames == MetricsNaming.V1 ? "0.11.0" : "0.6.6" }));
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
            scheduler.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            certificate?.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorServer(app, certificate, scheduler, options, new Uri(address.EndsWith('/') ? address : address + "/"), metrics, truth, handler, connections);
    }

    /// <summary>vLLM's <c>/v1/models</c> answer: the served model, its context window and the permission block vLLM adds.</summary>
    private static string ModelList(SimulatorOptions options, long created)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            json.WriteStartObject();
            json.WriteString("id"u8, options.Model);
            json.WriteString("object"u8, "model"u8);
            json.WriteNumber("created"u8, created);
            json.WriteString("owned_by"u8, "vllm"u8);
            json.WriteString("root"u8, options.Model);
            json.WriteNull("parent"u8);
            json.WriteNumber("max_model_len"u8, options.EffectiveMaxModelLen);
            json.WriteStartArray("permission"u8);
            json.WriteStartObject();
            json.WriteString("id"u8, "modelperm-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.Model)))[..32]);
            json.WriteString("object"u8, "model_permission"u8);
            json.WriteNumber("created"u8, created);
            json.WriteBoolean("allow_create_engine"u8, false);
            json.WriteBoolean("allow_sampling"u8, true);
            json.WriteBoolean("allow_logprobs"u8, true);
            json.WriteBoolean("allow_search_indices"u8, false);
            json.WriteBoolean("allow_view"u8, true);
            json.WriteBoolean("allow_fine_tuning"u8, false);
            json.WriteString("organization"u8, "*"u8);
            json.WriteNull("group"u8);
            json.WriteBoolean("is_blocking"u8, false);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
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

        _scheduler.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
    }
}
