namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// The idle keep-alive connections to one host and port, most recently used first (warm connections stay warm; the rest
/// age out). Connections idle longer than the idle timeout or older than the lifetime are closed rather than reused.
/// </summary>
internal sealed class Http1Pool : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Http1Connection> _idle = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _checkAfterIdle;
    private bool _disposed;

    public Http1Pool(TimeProvider time, TimeSpan idleTimeout, TimeSpan lifetime, TimeSpan checkAfterIdle)
    {
        _time = time;
        _idleTimeout = idleTimeout;
        _lifetime = lifetime;
        _checkAfterIdle = checkAfterIdle;
    }

    /// <summary>Connections waiting for a request.</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>An idle connection still fit for a request, or null.</summary>
    public Http1Connection? Rent()
    {
        while (true)
        {
            Http1Connection connection;
            lock (_lock)
            {
                if (_idle.Count == 0)
                {
                    return null;
                }

                connection = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }

            var now = _time.GetTimestamp();
            var idle = _time.GetElapsedTime(connection.IdleSince, now);
            if (idle > _idleTimeout || _time.GetElapsedTime(connection.CreatedAt, now) > _lifetime
                || (idle > _checkAfterIdle && !connection.IsOpenAndQuiet()))
            {
                // A server closes keep-alive connections it has not seen for a while (uvicorn after 5 s): a readable
                // idle socket is one it closed, and a request sent on it would fail.
                connection.Abort();
                continue;
            }

            return connection;
        }
    }

    /// <summary>Takes <paramref name="connection"/> back for the next request, or closes it when it is too old.</summary>
    public void Return(Http1Connection connection)
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(connection.CreatedAt, now) <= _lifetime)
        {
            connection.IdleSince = now;
            lock (_lock)
            {
                if (!_disposed)
                {
                    _idle.Add(connection);
                    return;
                }
            }
        }

        connection.Abort();
    }

    /// <summary>Closes the connections idle longer than the idle timeout.</summary>
    public void Scavenge()
    {
        var now = _time.GetTimestamp();
        List<Http1Connection>? expired = null;
        lock (_lock)
        {
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (_time.GetElapsedTime(_idle[i].IdleSince, now) > _idleTimeout)
                {
                    (expired ??= []).Add(_idle[i]);
                    _idle.RemoveAt(i);
                }
            }
        }

        expired?.ForEach(c => c.Abort());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Http1Connection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Abort();
        }
    }
}
