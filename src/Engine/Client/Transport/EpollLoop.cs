using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// The HTTP/1.1 client's own socket event threads on Linux x64: one edge-triggered epoll set per core, each waited on by
/// a thread of its own, for the sockets of <see cref="EpollSocket"/>. .NET's socket engine does the same job, but it tries
/// every receive before it waits (a <c>recv</c> that fails with EAGAIN per request, and a one-byte peek per streamed chunk
/// before the timestamped read), which is a syscall per request or chunk that a load generator pays at its busiest.
/// </summary>
internal static unsafe partial class EpollLoop
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int Interrupted = 4;
    private const int MaxEvents = 256;

    private static readonly ConcurrentDictionary<long, EpollSocket> Registered = new();
    private static readonly Lock Starting = new();
    private static int[]? _sets;
    private static int _startErrno;
    private static long _nextId;
    private static int _nextSet;

    /// <summary>The variable that, set to 0, has the client wait on .NET's socket engine instead (read once).</summary>
    public const string SwitchVariable = "GUIDELLM_SOCKET_EVENT_THREADS";

    /// <summary>
    /// True where the event threads run: Linux on x64 (where <c>epoll_event</c> is packed to 12 bytes), unless
    /// <see cref="SwitchVariable"/> is 0.
    /// </summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
        && Environment.GetEnvironmentVariable(SwitchVariable) != "0";

    /// <summary>
    /// Whether completions run on the event threads, as .NET runs its own when
    /// <see cref="Load.LoadGeneratorRuntime.InlineSocketCompletionsVariable"/> is 1 (read once, like .NET does); otherwise
    /// the code after a send or receive is queued to the thread pool.
    /// </summary>
    public static bool InlineCompletions { get; } = Environment.GetEnvironmentVariable(Load.LoadGeneratorRuntime.InlineSocketCompletionsVariable) == "1";

    /// <summary>
    /// Starts the event threads unless they run already; false when the kernel refused an event set (no descriptor left,
    /// say), in which case nothing is kept and the next call tries again, so one bad moment does not outlive itself.
    /// </summary>
    public static bool TryStart()
    {
        if (Volatile.Read(ref _sets) is not null)
        {
            return true;
        }

        lock (Starting)
        {
            if (_sets is not null)
            {
                return true;
            }

            var sets = new int[Math.Max(1, Environment.ProcessorCount)];
            for (var i = 0; i < sets.Length; i++)
            {
                sets[i] = EpollCreate(0x80000); // EPOLL_CLOEXEC
                if (sets[i] < 0)
                {
                    _startErrno = Marshal.GetLastPInvokeError();
                    for (var made = 0; made < i; made++)
                    {
                        _ = CloseDescriptor(sets[made]);
                    }

                    return false;
                }
            }

            for (var i = 0; i < sets.Length; i++)
            {
                var set = sets[i];
                new Thread(() => Run(set)) { IsBackground = true, Name = $".NET guidellm epoll {i}" }.Start();
            }

            Volatile.Write(ref _sets, sets);
            return true;
        }
    }

    /// <summary>Adds <paramref name="socket"/> to an event set (edge-triggered, both directions) and returns its id.</summary>
    public static long Register(EpollSocket socket)
    {
        if (!TryStart())
        {
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.SocketError, $"epoll_create1 failed with errno {_startErrno}");
        }

        var sets = _sets!;
        var id = Interlocked.Increment(ref _nextId);
        var set = sets[(int)((uint)Interlocked.Increment(ref _nextSet) % (uint)sets.Length)];
        Registered[id] = socket;
        var ev = new EpollEvent { Events = EpollSocket.Interest, Data = (ulong)id };
        if (EpollCtl(set, EpollCtlAdd, socket.Handle, &ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Registered.TryRemove(id, out _);
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.SocketError, $"epoll_ctl(ADD) failed with errno {errno}");
        }

        socket.Set = set;
        return id;
    }

    /// <summary>Forgets <paramref name="id"/>; events already taken for it are dropped. Call before the descriptor is closed.</summary>
    public static void Unregister(long id, int set, nint handle)
    {
        if (Registered.TryRemove(id, out _))
        {
            var ev = default(EpollEvent);
            _ = EpollCtl(set, EpollCtlDel, handle, &ev);
        }
    }

    private static void Run(int set)
    {
        var events = new EpollEvent[MaxEvents];
        fixed (EpollEvent* first = events)
        {
            while (true)
            {
                var count = EpollWait(set, first, MaxEvents, -1);
                if (count < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interrupted)
                    {
                        continue;
                    }

                    // Not expected for a valid set; back off rather than spin.
                    Thread.Sleep(10);
                    continue;
                }

                for (var i = 0; i < count; i++)
                {
                    if (Registered.TryGetValue((long)first[i].Data, out var socket))
                    {
                        try
                        {
                            socket.OnEvents(first[i].Events);
                        }
#pragma warning disable CA1031 // A continuation run inline must not end the thread that every socket of this set waits on.
                        catch (Exception)
#pragma warning restore CA1031
                        {
                        }
                    }
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int descriptor);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int set, int operation, nint descriptor, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int set, EpollEvent* events, int max, int timeout);

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }
}
