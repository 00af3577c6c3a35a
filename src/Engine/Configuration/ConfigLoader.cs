using GuidellmFunctions.Engine.Configuration.Reading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// Loads the YAML configuration: the seed's per-environment files and the Go runner's <c>config.example.yaml</c> are
/// accepted unchanged. Keys match whatever their case or separators (<c>max_seconds</c>, <c>maxSeconds</c>), <c>${VAR}</c>
/// is replaced from the environment, and every problem is reported at once with file, line and key. Each section has
/// its reader under Reading/; benchmark settings are read through <see cref="SettingsTable"/>.
/// </summary>
public sealed class ConfigLoader
{
    private readonly Func<string, string?> _environment;

    /// <summary>Creates a loader reading variables from <paramref name="environment"/> (the process environment by default).</summary>
    public ConfigLoader(Func<string, string?>? environment = null)
    {
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>Loads and validates the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigValidationException">The file is missing, unreadable or invalid; lists every problem.</exception>
    public RunnerConfig LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigValidationException([new ConfigError(path, 0, 0, string.Empty, $"cannot read config file: {ex.Message}")]);
        }

        return LoadText(text, path);
    }

    /// <summary>Loads and validates YAML text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ConfigValidationException">The text is invalid; lists every problem.</exception>
    public RunnerConfig LoadText(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigValidationException([new ConfigError(source, (int)ex.Start.Line, (int)ex.Start.Column, string.Empty, $"not valid YAML: {ex.InnerException?.Message ?? ex.Message}")]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input (found by fuzzing) instead of a YamlException.
            throw new ConfigValidationException([new ConfigError(source, 0, 0, string.Empty, $"not valid YAML: the parser failed ({ex.GetType().Name}: {ex.Message})")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigValidationException([new ConfigError(source, 1, 1, string.Empty, "the config must be a YAML mapping with an 'environments:' section")]);
        }

        var values = new YamlValues(source, _environment);
        var config = new RootReader(values).Read(root);
        return values.Errors.Count > 0 ? throw new ConfigValidationException(values.Errors) : config;
    }

    /// <summary>
    /// Parses a settings value given outside YAML (a CLI flag or a queue message override); <paramref name="key"/> is the
    /// setting's YAML key in any spelling, flag and override-only settings included.
    /// </summary>
    /// <returns>The patch with that one setting, or null with <paramref name="error"/> set.</returns>
    public static BenchmarkSettingsPatch? ParseSetting(string key, string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (SettingsTable.FindByKey(key) is not { } setting)
        {
            var known = SettingsTable.All.SelectMany(s => (string[])[s.Key, .. s.Aliases]);
            error = $"unknown key (known: {string.Join(", ", known)})";
            return null;
        }

        return ParseSetting(setting, value, out error);
    }

    /// <summary>Parses <paramref name="value"/> (a flag's or an override's text) as <paramref name="setting"/>.</summary>
    /// <returns>The patch with that one setting, or null with <paramref name="error"/> naming every problem.</returns>
    public static BenchmarkSettingsPatch? ParseSetting(Setting setting, string value, out string? error) =>
        ParseSetting(setting, new YamlScalarNode(value), out error);

    /// <summary>Parses <paramref name="value"/> (a scalar, or a mapping from a queue message) as <paramref name="setting"/>.</summary>
    internal static BenchmarkSettingsPatch? ParseSetting(Setting setting, YamlNode value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(value);
        var values = new YamlValues("override", _ => null) { InConfig = false };
        var patch = new SettingsReader(values).Read(new BenchmarkSettingsPatch(), setting, setting.Key, value);
        error = values.Errors.Count > 0 ? string.Join("; ", values.Errors.Select(e => e.Message)) : null;
        return error is null ? patch : null;
    }
}
