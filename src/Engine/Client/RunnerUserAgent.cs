using System.Text;

namespace GuidellmFunctions.Engine.Client;

/// <summary>The User-Agent the runner sends to targets and to remote_write receivers, so their logs can tell its traffic.</summary>
internal static class RunnerUserAgent
{
    /// <summary>As text.</summary>
    public static readonly string Value = Encoding.ASCII.GetString(Utf8);

    /// <summary>As the bytes written into a request head.</summary>
    public static ReadOnlySpan<byte> Utf8 => "guidellm-runner/1.0"u8;
}
