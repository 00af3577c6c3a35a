using System.Text;
using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary>docs/settings.md is written from the settings table; a stale copy fails here.</summary>
public sealed class SettingsDocumentTests
{
    /// <summary>Set to 1 to rewrite docs/settings.md from the table instead of failing when it is stale.</summary>
    private const string WriteVariable = "GUIDELLM_WRITE_DOCS";

    [Fact]
    public void The_committed_settings_doc_is_the_one_the_table_writes()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "settings.md");
        var expected = Markdown();
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(
            File.Exists(path) && File.ReadAllText(path) == expected,
            $"docs/settings.md is stale: run `{WriteVariable}=1 dotnet test tests/Engine.Tests -c Release --filter SettingsDocumentTests` and commit it");
    }

    internal static string Markdown()
    {
        var doc = new StringBuilder();
        doc.Append("""
            # Settings

            <!-- Written from src/Engine/Configuration/SettingsTable.cs by tests/Engine.Tests/Configuration/SettingsDocumentTests.cs:
                 change the table, then run GUIDELLM_WRITE_DOCS=1 dotnet test tests/Engine.Tests -c Release --filter SettingsDocumentTests -->

            Benchmark settings go under `defaults:` or on a target (`environments.<env>.targets[]`); a key matches in
            snake_case, camelCase or kebab-case. A value is taken from, last wins: the built-in default, `defaults:`, the
            target, then the `run` flags or a queue message's `overrides` (`enqueue --override key=value`). Durations are
            seconds or carry a unit (`500ms`, `30s`, `5m`, `1h`); any value may be `${VAR}` or `${VAR:-default}`. Every
            setting is written to each report's `config` under its report field (durations in seconds, `null` for none),
            and `validate` lists the ones a target changes.

            | Setting | Default | Values | `run` flag | Queue override | Report field | What it does |
            |---|---|---|---|---|---|---|

            """);
        foreach (var s in SettingsTable.All)
        {
            var key = s.Channels.HasFlag(SettingChannels.Yaml) ? $"`{s.Key}`" : $"`{s.Key}` (not in YAML)";
            var aliases = s.Aliases.Count > 0 ? $" (also {string.Join(", ", s.Aliases.Select(a => $"`{a}`"))})" : string.Empty;
            var flag = s.Flag is { } f ? $"`{f}`" : "-";
            var queue = s.OverrideKey is { } o ? $"`{o}`" : "-";
            var field = s.ReportField is { } r ? $"`{r}`" : $"in `{s.FoldsInto!.ReportField}`";
            doc.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {key}{aliases} | `{s.DefaultText}` | {s.Values} | {flag} | {queue} | {field} | {s.Doc} Example: `{s.Example}`. |\n");
        }

        doc.Append("""

            Besides these settings, a target has `name`, `url`, `model`, `api_key`, `api_key_header`, `headers` and
            `notes`, and the config's top level has the sections `datasets`, `remote_write`, `buckets`, `archive`, `limits` (caps on
            on-demand messages) and `prometheus`
            ([README](../README.md)).

            """);
        return doc.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GuidellmFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GuidellmFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
