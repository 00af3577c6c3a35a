using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GuidellmFunctions.Engine.Client.Transport;

/// <summary>
/// Receives from a TCP socket with the kernel's receive timestamp (<c>SO_TIMESTAMPNS</c>): when the bytes reached this
/// machine's network stack, not when this process got round to reading them. On a loaded client the second is
/// milliseconds later than the first (the thread pool's queue), and a load generator's TTFT should not carry its own
/// queueing. Linux on 64-bit x64 and Arm64 only, where the structures below have one layout.
/// </summary>
internal static unsafe partial class KernelReceive
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35;
    private const int MsgDontWait = 0x40;
    private const int ControlBytes = 64;
    private const int CmsgHeaderBytes = 16;
    private const long NanosPerSecond = 1_000_000_000;

    // Older data than this means the wall clock was stepped between the arrival and the read: the age is not trusted.
    private const long MaxAgeNanos = 60 * NanosPerSecond;

    /// <summary>True on the platforms where receive timestamps are read.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Asks the kernel to timestamp what <paramref name="socket"/> receives; false when it refuses.</summary>
    public static bool Enable(Socket socket)
    {
        if (!Supported)
        {
            return false;
        }

        try
        {
            socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Receives what is waiting on <paramref name="socket"/> into <paramref name="buffer"/> without blocking.
    /// </summary>
    /// <param name="socket">A connected TCP socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="arrival">
    /// The <see cref="Stopwatch.GetTimestamp"/> at which the last of the bytes arrived, or 0 when the kernel gave no
    /// timestamp (the first packets after timestamping is switched on for the machine may have none).
    /// </param>
    /// <returns>The bytes received (0 at the end of the stream), or -1 when nothing is waiting.</returns>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static int Receive(Socket socket, Span<byte> buffer, out long arrival)
    {
        arrival = 0;
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var control = stackalloc byte[ControlBytes];
            fixed (byte* data = buffer)
            {
                var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
                var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = control, ControlLength = ControlBytes };
                nint received;
                int error;
                do
                {
                    received = ReceiveMessage(handle.DangerousGetHandle(), &message, MsgDontWait);
                    error = received < 0 ? Marshal.GetLastPInvokeError() : 0;
                }
                while (error == Errno.Interrupted);

                if (received < 0)
                {
                    return error is Errno.WouldBlock ? -1 : throw new SocketException((int)Errno.ToSocketError(error));
                }

                if (received > 0 && TryReadTimestamp(control, (int)message.ControlLength, out var arrivedNanos))
                {
                    arrival = ToStopwatch(arrivedNanos);
                }

                return (int)received;
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static bool TryReadTimestamp(byte* control, int length, out long nanos)
    {
        for (var offset = 0; offset + CmsgHeaderBytes <= length;)
        {
            var cmsgLength = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (cmsgLength < CmsgHeaderBytes || offset + cmsgLength > length)
            {
                break;
            }

            if (level == SolSocket && type == SoTimestampNs && cmsgLength >= CmsgHeaderBytes + 16)
            {
                var spec = (long*)(control + offset + CmsgHeaderBytes);
                nanos = (spec[0] * NanosPerSecond) + spec[1];
                return true;
            }

            offset += (cmsgLength + 7) & ~7;
        }

        nanos = 0;
        return false;
    }

    /// <summary>Maps a wall-clock arrival to the monotonic clock through its age, read from both clocks now.</summary>
    private static long ToStopwatch(long arrivedNanos)
    {
        var monotonic = Stopwatch.GetTimestamp();
        var age = ((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100) - arrivedNanos;
        if (age is < 0 or > MaxAgeNanos)
        {
            return age < 0 ? monotonic : 0;
        }

        return monotonic - (long)(age * (Stopwatch.Frequency / (double)NanosPerSecond));
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint ReceiveMessage(nint socket, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    private static class Errno
    {
        public const int Interrupted = 4;
        public const int WouldBlock = 11;

        public static SocketError ToSocketError(int errno) => errno switch
        {
            9 => SocketError.OperationAborted,
            32 => SocketError.Shutdown,
            100 => SocketError.NetworkDown,
            101 => SocketError.NetworkUnreachable,
            103 => SocketError.ConnectionAborted,
            104 => SocketError.ConnectionReset,
            107 => SocketError.NotConnected,
            110 => SocketError.TimedOut,
            113 => SocketError.HostUnreachable,
            _ => SocketError.SocketError,
        };
    }
}
