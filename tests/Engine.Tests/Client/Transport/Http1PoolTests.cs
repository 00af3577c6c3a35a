using System.Net;
using System.Net.Sockets;
using GuidellmFunctions.Engine.Client.Transport;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Engine.Tests.Client.Transport;

/// <summary>The idle connections to one host: most recent first, aged out by idle time and lifetime, checked after a pause.</summary>
public sealed class Http1PoolTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly Http1Pool _pool;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<IDisposable> _owned = [];

    public Http1PoolTests()
    {
        _pool = new Http1Pool(_time, idleTimeout: TimeSpan.FromSeconds(90), lifetime: TimeSpan.FromMinutes(5), checkAfterIdle: TimeSpan.FromSeconds(1));
        _listener.Start();
    }

    public void Dispose()
    {
        _pool.Dispose();
        _owned.ForEach(o => o.Dispose());
        _listener.Stop();
    }

    /// <summary>A connection over a real loopback socket, and the server's end of it.</summary>
    private (Http1Connection Connection, Socket Server) Connect()
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        client.Connect(_listener.LocalEndpoint);
        var server = _listener.AcceptSocket();
        _owned.Add(client);
        _owned.Add(server);
        return (new Http1Connection(client, _pool, _time.GetTimestamp()), server);
    }

    private static bool Closed(Http1Connection connection) => !connection.IsOpenAndQuiet();

    [Fact]
    public void The_most_recently_returned_connection_is_rented_first()
    {
        var (first, _) = Connect();
        var (second, _) = Connect();
        _pool.Return(first);
        _pool.Return(second);

        Assert.Same(second, _pool.Rent());
        Assert.Same(first, _pool.Rent());
        Assert.Null(_pool.Rent());
    }

    [Fact]
    public void A_connection_idle_past_the_idle_timeout_is_closed_not_rented_and_the_scavenger_closes_the_rest()
    {
        var (stale, _) = Connect();
        _pool.Return(stale);
        _time.Advance(TimeSpan.FromSeconds(91));
        var (fresh, _) = Connect();
        _pool.Return(fresh);

        Assert.Same(fresh, _pool.Rent());
        Assert.Null(_pool.Rent());
        Assert.True(Closed(stale));

        _pool.Return(fresh);
        _time.Advance(TimeSpan.FromSeconds(91));
        _pool.Scavenge();
        Assert.Equal(0, _pool.IdleCount);
        Assert.True(Closed(fresh));
    }

    [Fact]
    public void A_connection_past_its_lifetime_is_closed_when_it_comes_back()
    {
        var (old, _) = Connect();
        _time.Advance(TimeSpan.FromMinutes(6));

        _pool.Return(old);

        Assert.Equal(0, _pool.IdleCount);
        Assert.True(Closed(old));
    }

    [Fact]
    public void After_a_pause_a_connection_the_server_closed_is_dropped_and_a_quiet_one_is_rented()
    {
        var (quiet, _) = Connect();
        var (closedByServer, server) = Connect();
        _pool.Return(quiet);
        _pool.Return(closedByServer);
        server.Shutdown(SocketShutdown.Both);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Same(quiet, _pool.Rent());
        Assert.True(Closed(closedByServer));
    }

    [Fact]
    public void Disposing_closes_the_idle_connections_and_any_returned_later()
    {
        var (idle, _) = Connect();
        var (busy, _) = Connect();
        _pool.Return(idle);

        _pool.Dispose();
        _pool.Return(busy);

        Assert.True(Closed(idle));
        Assert.True(Closed(busy));
        Assert.Equal(0, _pool.IdleCount);
    }
}
