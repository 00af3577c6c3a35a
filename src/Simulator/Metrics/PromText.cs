using System.Globalization;

namespace GuidellmFunctions.Simulator.Metrics;

/// <summary>Numbers and label values as vLLM's Python Prometheus client writes them (<c>1.0</c>, <c>0.25</c>, <c>+Inf</c>).</summary>
internal static class PromText
{
    public static string Number(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        return value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? value.ToString("0.0", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string Label(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
