using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace GuidellmFunctions.Benchmarks.Support;

/// <summary>One goal of the issue, where the runner stands against it.</summary>
internal sealed record Goal(string Name, string Target, string Measured, bool? Met);

/// <summary>The figures of one suite run: printed as tables, written to <c>artifacts/bench/summary.json</c>.</summary>
internal sealed class Suite(IAnsiConsole console, bool quick, Uri? remoteSimulator = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public IAnsiConsole Console { get; } = console;

    public bool Quick { get; } = quick;

    /// <summary>A simulator on another machine for the accuracy scenario (<c>--simulator URL</c>), or null to start one here.</summary>
    public Uri? RemoteSimulator { get; } = remoteSimulator;

    /// <summary>How long a measured stage lasts.</summary>
    public TimeSpan StageLength => Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(10);

    public SortedDictionary<string, object> Sections { get; } = new(StringComparer.Ordinal);

    public List<Goal> Goals { get; } = [];

    public void Table(string title, string[] columns, IEnumerable<string[]> rows)
    {
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Simple };
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.Columns[0].LeftAligned();
        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        Console.Write(table);
    }

    public async Task WriteAsync(string path)
    {
        Table("Goals", ["goal", "target", "measured", "met"], Goals.Select(g => new[] { g.Name, g.Target, g.Measured, g.Met switch { true => "yes", false => "NO", null => "-" } }));
        var document = new
        {
            generatedAt = DateTimeOffset.UtcNow,
            quick = Quick,
            machine = new
            {
                cores = Environment.ProcessorCount,
                memoryGiB = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            },
            sections = Sections,
            goals = Goals,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Json)).ConfigureAwait(false);
        Console.MarkupLine(Markup.Escape($"Summary written to {path}"));
    }

    public static string F(double value, int decimals = 1) =>
        double.IsNaN(value) ? "-" : value.ToString("N" + decimals, System.Globalization.CultureInfo.InvariantCulture);
}
