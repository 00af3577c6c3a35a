using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A purpose-built HTTP/1.1 client for <c>http</c> and <c>https</c> targets: keep-alive connections without a limit per
/// server, a request head written in one send, and the response parsed from one buffer per connection, with no
/// allocation per request or per streamed chunk. Over TLS it offers only HTTP/1.1 (ALPN), checks the server's certificate
/// against the system's roots and the URL's host unless told not to, and stamps the event streams it decrypts with the kernel's
/// receive time of the encrypted bytes. It goes through the proxy its <see cref="Proxy"/> names for a URL (absolute-form
/// requests for <c>http</c>, a <c>CONNECT</c> tunnel for <c>https</c>). It does what a load generator needs and no more: no
/// redirects (a 3xx is the response), no cookies, no compression. Like <see cref="SocketsHttpHandler"/>, a request that
/// fails on a kept-alive connection before any response byte arrives (the server had closed it) is sent again on a new
/// connection.
/// </summary>
internal sealed class Http1Transport : ITargetTransport, IDisposable
{
    // Enough handshakes at once to keep both ends busy, few enough not to overflow a server's accept backlog.
    private const int PreopenParallelism = 32;

    private static readonly TimeSpan ScavengeEvery = TimeSpan.FromSeconds(15);

    private readonly ConditionalWeakTable<Uri, Http1Endpoint> _endpoints = [];
    private readonly ConcurrentDictionary<(string Scheme, string Host, int Port, Uri? Proxy), Http1Pool> _pools = new();
    private readonly ConditionalWeakTable<Uri, Http1Endpoint>.CreateValueCallback _createEndpoint;
    private readonly TimeProvider _time;
    private readonly Func<EndPoint, CancellationToken, ValueTask<Socket>>? _connect;
    private readonly ITimer _scavenger;
    private int _disposed;

    /// <summary>Creates a client.</summary>
    /// <param name="time">Clock of idle and lifetime limits.</param>
    /// <param name="connect">Opens a connected socket to an endpoint; the default connects a TCP socket (names resolved by the system).</param>
    public Http1Transport(TimeProvider? time = null, Func<EndPoint, CancellationToken, ValueTask<Socket>>? connect = null)
    {
        _time = time ?? TimeProvider.System;
        _connect = connect;
        _createEndpoint = uri =>
        {
            var proxy = Proxy?.GetProxy(uri);
            var pool = _pools.GetOrAdd((uri.Scheme, uri.IdnHost, uri.Port, proxy), _ => new Http1Pool(_time, IdleTimeout, Lifetime, CheckAfterIdle));
            return new Http1Endpoint(uri, pool, proxy, proxy is null ? null : Proxy!.Authorization(proxy));
        };
        _scavenger = _time.CreateTimer(static s => ((Http1Transport)s!).Scavenge(), this, ScavengeEvery, ScavengeEvery);
    }

    /// <summary>A connection idle this long is closed (default 90 s, as the .NET handler's pool).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>A connection this old is closed when its request ends, so DNS changes are seen (default 5 minutes).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A connection idle this long is checked for a close by the server before it is reused (default 1 s).</summary>
    public TimeSpan CheckAfterIdle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Stamp streamed responses with the kernel's receive time of their bytes where the platform gives it (Linux), not
    /// the time this process read them (default true).
    /// </summary>
    public bool KernelTimestamps { get; init; } = true;

    /// <summary>How long opening a connection may take: TCP, a proxy's tunnel and the TLS handshake (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The proxies requests go through (<see cref="EnvironmentProxy"/>), or null for none (default).</summary>
    internal EnvironmentProxy? Proxy { get; init; }

    /// <summary>
    /// Accept any certificate from <c>https</c> targets (a target's <c>tls_insecure_skip_verify</c>, for self-signed test
    /// clusters); default false.
    /// </summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>Idle connections kept for <paramref name="uri"/>'s host and port.</summary>
    public int IdleConnections(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return _pools.TryGetValue((uri.Scheme, uri.IdnHost, uri.Port, Proxy?.GetProxy(uri)), out var pool) ? pool.IdleCount : 0;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TargetResponse> SendAsync(CompletionRequest request, TargetRequestKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var post = kind == TargetRequestKind.Completion;
        var uri = post ? request.Endpoint : request.RequiredModelsEndpoint;
        var endpoint = EndpointFor(uri);
        for (var attempt = 0; ; attempt++)
        {
            // After a failure on a kept-alive connection, the others in the pool are suspect too: open a new one.
            var pooled = attempt == 0 ? endpoint.Pool.Rent() : null;
            var connection = pooled ?? await ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            try
            {
                return await connection.SendAsync(request, endpoint, post, reused: pooled is not null, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (connection.MayRetry && attempt == 0)
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> PreopenAsync(CompletionRequest template, int connections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var endpoint = EndpointFor(template.Endpoint);
        var missing = connections - endpoint.Pool.IdleCount;
        if (missing > 0)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var options = new ParallelOptions { MaxDegreeOfParallelism = PreopenParallelism, CancellationToken = stop.Token };
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, missing), options, async (_, token) =>
                {
                    try
                    {
                        endpoint.Pool.Return(await ConnectAsync(endpoint, token).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (ex is HttpRequestException or IOException)
                    {
                        // One connection refused means the rest would be too: the stage's requests will say why.
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        return endpoint.Pool.IdleCount;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scavenger.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.Dispose();
        }
    }

    private Http1Endpoint EndpointFor(Uri uri) => _endpoints.TryGetValue(uri, out var known) ? known : _endpoints.GetValue(uri, _createEndpoint);

    private async ValueTask<Http1Connection> ConnectAsync(Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await OpenAsync(endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"no connection within the connect timeout of {ConnectTimeout.TotalSeconds:0.###} s ({endpoint.Name})", ex);
        }
    }

    private async ValueTask<Http1Connection> OpenAsync(Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        var started = _time.GetTimestamp();
        try
        {
            if (_connect is not null)
            {
                socket = await _connect(endpoint.EndPoint, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endpoint.EndPoint, cancellationToken).ConfigureAwait(false);
            }

            var kernelTimestamps = KernelTimestamps && KernelReceive.Enable(socket);
            var socketStream = new StampedSocketStream(socket);
            if (endpoint.Tunnel)
            {
                await Http1Tunnel.OpenAsync(socketStream, endpoint, cancellationToken).ConfigureAwait(false);
            }

            if (!endpoint.IsTls)
            {
                return new Http1Connection(socket, endpoint.Pool, _time.GetTimestamp(), kernelTimestamps, socketStream) { OpenTime = _time.GetElapsedTime(started) };
            }

            var tls = await HandshakeAsync(socketStream, endpoint, cancellationToken).ConfigureAwait(false);
            return new Http1Connection(socket, endpoint.Pool, _time.GetTimestamp(), kernelTimestamps, socketStream, tls) { OpenTime = _time.GetElapsedTime(started) };
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException(NameResolution.Failed(ex.SocketErrorCode) ? HttpRequestError.NameResolutionError : HttpRequestError.ConnectionError, $"{ex.Message} ({endpoint.Name})", ex);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    private async ValueTask<SslStream> HandshakeAsync(StampedSocketStream socketStream, Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        var tls = new SslStream(socketStream, leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        if (InsecureSkipVerify)
        {
#pragma warning disable CA5359 // Opted into per target with tls_insecure_skip_verify, for self-signed test clusters.
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        // The socket's reads ignore tokens (see StampedSocketStream): cancelling closes the socket, which ends them.
        var abort = cancellationToken.UnsafeRegister(static s => ((StampedSocketStream)s!).Abort(), socketStream);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var cause = ex as AuthenticationException ?? new AuthenticationException($"the TLS handshake failed: {ex.Message}", ex);
            throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"{cause.Message} ({endpoint.Name})", cause);
        }
        finally
        {
            await abort.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Scavenge()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Scavenge();
        }
    }
}
