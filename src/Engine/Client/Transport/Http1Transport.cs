using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// A purpose-built HTTP/1.1 client for plain <c>http</c> targets (an in-cluster vLLM): keep-alive connections without a
/// limit per server, a request head written in one send, and the response parsed from one buffer per connection, with no
/// allocation per request or per streamed chunk. It does what a load generator needs and no more: no TLS, no proxies, no
/// redirects, no cookies, no compression. Like <see cref="SocketsHttpHandler"/>, a request that fails on a kept-alive
/// connection before any response byte arrives (the server had closed it) is sent again on a new connection.
/// </summary>
public sealed class Http1Transport : ITargetTransport, IDisposable
{
    private static readonly TimeSpan ScavengeEvery = TimeSpan.FromSeconds(15);

    private readonly ConditionalWeakTable<Uri, Http1Endpoint> _endpoints = [];
    private readonly ConcurrentDictionary<(string Host, int Port), Http1Pool> _pools = new();
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
        _createEndpoint = uri => new Http1Endpoint(uri, _pools.GetOrAdd((uri.IdnHost, uri.Port), _ => new Http1Pool(_time, IdleTimeout, Lifetime, CheckAfterIdle)));
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

    /// <summary>Idle connections kept for <paramref name="uri"/>'s host and port.</summary>
    public int IdleConnections(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return _pools.TryGetValue((uri.IdnHost, uri.Port), out var pool) ? pool.IdleCount : 0;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TargetResponse> SendAsync(CompletionRequest request, TargetRequestKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var post = kind == TargetRequestKind.Completion;
        var uri = post ? request.Endpoint : request.RequiredModelsEndpoint;
        var endpoint = _endpoints.TryGetValue(uri, out var known) ? known : _endpoints.GetValue(uri, _createEndpoint);
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

    private async ValueTask<Http1Connection> ConnectAsync(Http1Endpoint endpoint, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        try
        {
            if (_connect is null)
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endpoint.EndPoint, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                socket = await _connect(endpoint.EndPoint, cancellationToken).ConfigureAwait(false);
            }

            return new Http1Connection(socket, endpoint.Pool, _time.GetTimestamp(), KernelTimestamps && KernelReceive.Enable(socket));
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException(NameResolution.Failed(ex.SocketErrorCode) ? HttpRequestError.NameResolutionError : HttpRequestError.ConnectionError, $"{ex.Message} ({endpoint.Host}:{endpoint.Port})", ex);
        }
        catch
        {
            socket?.Dispose();
            throw;
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
