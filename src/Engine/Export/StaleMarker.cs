namespace GuidellmFunctions.Engine.Export;

/// <summary>Prometheus's staleness marker: a NaN with a payload that no computation produces.</summary>
internal static class StaleMarker
{
    /// <summary>The marker value (bits 0x7ff0000000000002).</summary>
    public static double Value { get; } = BitConverter.Int64BitsToDouble(0x7ff0000000000002);

    /// <summary>True when <paramref name="value"/> is the marker (compared by bits: NaN never equals itself).</summary>
    public static bool Is(double value) => BitConverter.DoubleToInt64Bits(value) == 0x7ff0000000000002;
}
