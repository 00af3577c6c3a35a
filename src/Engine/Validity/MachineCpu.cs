using System.Globalization;

namespace GuidellmFunctions.Engine.Validity;

/// <summary>The machine's cumulative CPU times from Linux's /proc/stat (its first, all-CPU line), in clock ticks.</summary>
/// <param name="Busy">Ticks not idle and not waiting for I/O.</param>
/// <param name="Total">All ticks.</param>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    private const string StatPath = "/proc/stat";

    /// <summary>The counters now; null where /proc/stat cannot be read.</summary>
    public static MachineCpu? Read()
    {
        try
        {
            using var reader = new StreamReader(StatPath);
            return Parse(reader.ReadLine());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the <c>cpu</c> line: user nice system idle iowait irq softirq steal …; null when it is not one.</summary>
    public static MachineCpu? Parse(string? line)
    {
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is null || fields.Length < 5 || fields[0] != "cpu")
        {
            return null;
        }

        long total = 0, idle = 0;
        for (var i = 1; i < fields.Length && i <= 8; i++)
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return null;
            }

            total += ticks;
            if (i is 4 or 5)
            {
                idle += ticks;
            }
        }

        return new MachineCpu(total - idle, total);
    }

    /// <summary>The busy share between <paramref name="before"/> and this reading; null when no tick passed.</summary>
    public double? ShareSince(MachineCpu before) => Total > before.Total ? (double)(Busy - before.Busy) / (Total - before.Total) : null;
}
