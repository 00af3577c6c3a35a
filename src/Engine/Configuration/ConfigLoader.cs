using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// Loads the YAML configuration: the seed's per-environment files and the Go runner's <c>config.example.yaml</c> are
/// accepted unchanged. Keys match whatever their case or separators (<c>max_seconds</c>, <c>maxSeconds</c>), <c>${VAR}</c>
/// is replaced from the environment, and every problem is reported at once with file, line and key.
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
        var reader = new Reader(source, _environment);
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

        var config = reader.ReadRoot(root);
        return reader.Errors.Count > 0 ? throw new ConfigValidationException(reader.Errors) : config;
    }

    /// <summary>Parses a settings value given outside YAML (a CLI flag or a queue message override).</summary>
    /// <returns>The patch with that one setting, or null with <paramref name="error"/> set.</returns>
    public static BenchmarkSettingsPatch? ParseSetting(string key, string value, out string? error)
    {
        var reader = new Reader("override", _ => null);
        var patch = reader.ReadSetting(new BenchmarkSettingsPatch(), Reader.Normalize(key), key, new YamlScalarNode(value));
        error = reader.Errors.Count > 0 ? string.Join("; ", reader.Errors.Select(e => e.Message)) : null;
        return error is null ? patch : null;
    }

    private delegate bool NameParser<T>(string? text, out T value);

    private sealed class Reader(string source, Func<string, string?> environment)
    {
        private static readonly string[] SettingKeys =
        [
            "profile", "rate", "interval", "max_seconds", "max_requests", "max_errors", "max_tokens", "data_spec", "data",
            "request_type", "max_concurrency", "warmup_seconds", "warmup", "cooldown_seconds", "cooldown",
            "request_timeout", "timeout", "seed", "ignore_eos", "sweep_size", "tls_insecure_skip_verify", "insecure_skip_verify",
            "http_client", "kernel_timestamps",
        ];

        private static readonly string[] TargetKeys = ["name", "url", "model", "api_key", "api_key_header", "headers", "notes"];

        public List<ConfigError> Errors { get; } = [];

        private List<ConfigError> Warnings { get; } = [];

        public static string Normalize(string key) =>
            key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

        public RunnerConfig ReadRoot(YamlMappingNode root)
        {
            var environments = new List<EnvironmentConfig>();
            var defaults = new BenchmarkSettingsPatch();
            var port = 9090;
            var sawEnvironments = false;
            IReadOnlyList<RemoteWriteConfig> remoteWrite = [];
            ArchiveConfig? archive = null;
            foreach (var (keyNode, value) in root.Children)
            {
                var key = KeyText(keyNode);
                switch (Normalize(key))
                {
                    case "environments":
                        sawEnvironments = true;
                        environments = ReadEnvironments(value, key);
                        break;
                    case "defaults":
                        defaults = ReadSettingsMapping(value, key);
                        break;
                    case "prometheus":
                        port = ReadPrometheus(value, key);
                        break;
                    case "archive":
                        archive = ReadArchive(value, key);
                        break;
                    case "remotewrite":
                        remoteWrite = ReadRemoteWrite(value, key);
                        break;
                    case "discovery":
                        Warnings.Add(At(keyNode, key, "model discovery is not supported; list targets under environments instead (section ignored)"));
                        break;
                    default:
                        Error(keyNode, key, "unknown key (expected environments, defaults, prometheus, remote_write, archive)");
                        break;
                }
            }

            if (!sawEnvironments)
            {
                Errors.Add(new ConfigError(source, 1, 1, "environments", "missing: the config must define at least one environment"));
            }

            return new RunnerConfig
            {
                Source = source,
                Environments = environments,
                Defaults = defaults,
                PrometheusPort = port,
                RemoteWrite = remoteWrite,
                Archive = archive,
                Warnings = Warnings,
            };
        }

        private List<EnvironmentConfig> ReadEnvironments(YamlNode node, string path)
        {
            var result = new List<EnvironmentConfig>();
            if (node is not YamlMappingNode map || map.Children.Count == 0)
            {
                Error(node, path, "must be a mapping of environment name to its targets");
                return result;
            }

            foreach (var (keyNode, value) in map.Children)
            {
                var name = KeyText(keyNode);
                var envPath = $"{path}.{name}";
                var targets = new List<TargetConfig>();
                if (value is not YamlMappingNode envMap)
                {
                    Error(value, envPath, "must be a mapping with a 'targets:' list");
                    continue;
                }

                var sawTargets = false;
                foreach (var (envKey, envValue) in envMap.Children)
                {
                    var k = KeyText(envKey);
                    if (Normalize(k) != "targets")
                    {
                        Error(envKey, $"{envPath}.{k}", "unknown key (expected targets)");
                        continue;
                    }

                    sawTargets = true;
                    targets = ReadTargets(envValue, $"{envPath}.{k}");
                }

                if (!sawTargets)
                {
                    Error(value, envPath, "missing 'targets:' list");
                }

                result.Add(new EnvironmentConfig(name, targets));
            }

            return result;
        }

        private List<TargetConfig> ReadTargets(YamlNode node, string path)
        {
            var result = new List<TargetConfig>();
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node, path, "must be a non-empty list of targets");
                return result;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var target = ReadTarget(seq.Children[i], $"{path}[{i}]");
                var name = target?.Name ?? NameOf(seq.Children[i]);
                if (name is not null && !names.Add(name))
                {
                    Error(seq.Children[i], $"{path}[{i}].name", $"duplicate target name '{name}'");
                }

                if (target is not null)
                {
                    result.Add(target);
                }
            }

            return result;
        }

        private TargetConfig? ReadTarget(YamlNode node, string path)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping with name, url and model");
                return null;
            }

            string? name = null, model = null, notes = null, keyHeader = null;
            Uri? url = null;
            Secret? apiKey = null;
            var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
            var settings = new BenchmarkSettingsPatch();
            foreach (var (keyNode, value) in map.Children)
            {
                var key = KeyText(keyNode);
                var keyPath = $"{path}.{key}";
                switch (Normalize(key))
                {
                    case "name":
                        name = RequireText(value, keyPath);
                        break;
                    case "model":
                        model = RequireText(value, keyPath);
                        break;
                    case "url":
                        url = ReadUrl(value, keyPath);
                        break;
                    case "apikey":
                        var secret = Text(value, keyPath);
                        apiKey = string.IsNullOrEmpty(secret) ? null : new Secret(secret);
                        break;
                    case "apikeyheader":
                        keyHeader = RequireText(value, keyPath);
                        break;
                    case "notes":
                        notes = Text(value, keyPath);
                        break;
                    case "headers":
                        ReadHeaders(value, keyPath, headers);
                        break;
                    default:
                        settings = ReadSetting(settings, Normalize(key), keyPath, value, keyNode);
                        break;
                }
            }

            if (name is null)
            {
                Error(node, $"{path}.name", "missing: every target needs a name");
            }

            if (url is null && !map.Children.Keys.Any(k => Normalize(KeyText(k)) == "url"))
            {
                Error(node, $"{path}.url", "missing: every target needs a url");
            }

            if (model is null && !map.Children.Keys.Any(k => Normalize(KeyText(k)) == "model"))
            {
                Error(node, $"{path}.model", "missing: every target needs a model (the name the server serves, vLLM's model_name)");
            }

            if (name is null || url is null || model is null)
            {
                return null;
            }

            return new TargetConfig
            {
                Name = name,
                Url = url,
                Model = model,
                ApiKey = apiKey,
                ApiKeyHeader = keyHeader,
                Headers = headers,
                Notes = notes,
                Settings = settings,
                SourceLine = (int)node.Start.Line,
            };
        }

        private void ReadHeaders(YamlNode node, string path, Dictionary<string, Secret> headers)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping of header name to value");
                return;
            }

            foreach (var (k, v) in map.Children)
            {
                var name = KeyText(k);
                var value = Text(v, $"{path}.{name}");
                if (value is not null)
                {
                    headers[name] = new Secret(value);
                }
            }
        }

        private int ReadPrometheus(YamlNode node, string path)
        {
            var port = 9090;
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping (port)");
                return port;
            }

            foreach (var (k, v) in map.Children)
            {
                var key = KeyText(k);
                if (Normalize(key) == "port")
                {
                    port = ReadInt(v, $"{path}.{key}", 1, 65535) ?? port;
                }
                else
                {
                    Error(k, $"{path}.{key}", "unknown key (expected port)");
                }
            }

            return port;
        }

        private List<RemoteWriteConfig> ReadRemoteWrite(YamlNode node, string path)
        {
            var result = new List<RemoteWriteConfig>();
            if (node is not YamlSequenceNode seq)
            {
                Error(node, path, "must be a list of receivers, each with a url");
                return result;
            }

            for (var i = 0; i < seq.Children.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (seq.Children[i] is not YamlMappingNode map)
                {
                    Error(seq.Children[i], itemPath, "must be a mapping with a url");
                    continue;
                }

                Uri? url = null;
                var config = new RemoteWriteConfig { Url = new Uri("http://placeholder") };
                foreach (var (k, v) in map.Children)
                {
                    var key = KeyText(k);
                    var keyPath = $"{itemPath}.{key}";
                    switch (Normalize(key))
                    {
                        case "url":
                            url = ReadUrl(v, keyPath);
                            break;
                        case "pushinterval":
                            config = config with { PushInterval = ReadDuration(v, keyPath, positive: true) ?? config.PushInterval };
                            break;
                        case "timeout" or "remotetimeout":
                            config = config with { Timeout = ReadDuration(v, keyPath, positive: true) ?? config.Timeout };
                            break;
                        case "sendstalemarkers":
                            config = config with { SendStaleMarkers = ReadBool(v, keyPath) ?? config.SendStaleMarkers };
                            break;
                        case "maxsamplesperrequest" or "maxsamplespersend":
                            config = config with { MaxSamplesPerRequest = ReadInt(v, keyPath, 1) ?? config.MaxSamplesPerRequest };
                            break;
                        case "bearertoken":
                            var token = Text(v, keyPath);
                            config = config with { BearerToken = string.IsNullOrEmpty(token) ? null : new Secret(token) };
                            break;
                        case "basicauth":
                            config = ReadBasicAuth(v, keyPath, config);
                            break;
                        case "headers":
                            var headers = new Dictionary<string, Secret>(StringComparer.OrdinalIgnoreCase);
                            ReadHeaders(v, keyPath, headers);
                            config = config with { Headers = headers };
                            break;
                        case "externallabels":
                            config = config with { ExternalLabels = ReadLabels(v, keyPath) };
                            break;
                        default:
                            Error(k, keyPath, "unknown key (known: url, push_interval, headers, basic_auth, bearer_token, external_labels, send_stale_markers, timeout, max_samples_per_request)");
                            break;
                    }
                }

                if (url is null)
                {
                    if (!map.Children.Keys.Any(k => Normalize(KeyText(k)) == "url"))
                    {
                        Error(map, $"{itemPath}.url", "missing: every receiver needs a url");
                    }

                    continue;
                }

                result.Add(config with { Url = url });
            }

            return result;
        }

        private ArchiveConfig? ReadArchive(YamlNode node, string path)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping with connection or account_url, and container");
                return null;
            }

            var archive = new ArchiveConfig();
            foreach (var (k, v) in map.Children)
            {
                var key = KeyText(k);
                var keyPath = $"{path}.{key}";
                switch (Normalize(key))
                {
                    case "connection" or "connectionstring":
                        var connection = Text(v, keyPath);
                        archive = archive with { Connection = string.IsNullOrEmpty(connection) ? null : new Secret(connection) };
                        break;
                    case "accounturl":
                        archive = archive with { AccountUrl = ReadUrl(v, keyPath) };
                        break;
                    case "container":
                        var container = RequireText(v, keyPath);
                        if (container is not null && !System.Text.RegularExpressions.Regex.IsMatch(container, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"))
                        {
                            Error(v, keyPath, "must be 3-63 lowercase letters, digits and single hyphens (an Azure container name)");
                        }

                        archive = archive with { Container = container ?? archive.Container };
                        break;
                    default:
                        Error(k, keyPath, "unknown key (expected connection, account_url, container)");
                        break;
                }
            }

            if (archive.Connection is null && archive.AccountUrl is null)
            {
                Error(map, path, "needs connection (a storage connection string) or account_url (managed identity)");
            }

            return archive;
        }

        private RemoteWriteConfig ReadBasicAuth(YamlNode node, string path, RemoteWriteConfig config)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping with username and password");
                return config;
            }

            foreach (var (k, v) in map.Children)
            {
                var key = KeyText(k);
                switch (Normalize(key))
                {
                    case "username":
                        config = config with { BasicAuthUsername = RequireText(v, $"{path}.{key}") };
                        break;
                    case "password":
                        var password = Text(v, $"{path}.{key}");
                        config = config with { BasicAuthPassword = password is null ? null : new Secret(password) };
                        break;
                    default:
                        Error(k, $"{path}.{key}", "unknown key (expected username, password)");
                        break;
                }
            }

            return config;
        }

        private Dictionary<string, string> ReadLabels(YamlNode node, string path)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping of label name to value");
                return labels;
            }

            foreach (var (k, v) in map.Children)
            {
                var name = KeyText(k);
                if (!Export.LabelSet.IsValidName(name) || name.StartsWith("__", StringComparison.Ordinal))
                {
                    Error(k, $"{path}.{name}", "invalid label name (letters, digits and _; not starting with a digit or __)");
                }
                else if (name is "environment" or "target" or "model")
                {
                    Error(k, $"{path}.{name}", $"'{name}' is set by the runner and cannot be an external label");
                }

                labels[name] = Text(v, $"{path}.{name}") ?? string.Empty;
            }

            return labels;
        }

        private BenchmarkSettingsPatch ReadSettingsMapping(YamlNode node, string path)
        {
            var patch = new BenchmarkSettingsPatch();
            if (node is not YamlMappingNode map)
            {
                Error(node, path, "must be a mapping of settings");
                return patch;
            }

            foreach (var (k, v) in map.Children)
            {
                var key = KeyText(k);
                patch = ReadSetting(patch, Normalize(key), $"{path}.{key}", v, k);
            }

            return patch;
        }

        public BenchmarkSettingsPatch ReadSetting(BenchmarkSettingsPatch patch, string normalizedKey, string path, YamlNode value, YamlNode? keyNode = null)
        {
            switch (normalizedKey)
            {
                case "profile":
                    return patch with { Profile = ReadName<ProfileKind>(value, path, ProfileNames.TryParse, "profile", $"one of {string.Join(", ", ProfileNames.All)}") ?? patch.Profile };
                case "rate":
                    return patch with { Rate = ReadDouble(value, path, 0, exclusiveMin: true) };
                case "interval":
                    return patch with { Interval = ReadDuration(value, path, positive: true) };
                case "maxseconds":
                    return patch with { MaxSeconds = ReadDuration(value, path, positive: false)?.TotalSeconds };
                case "maxrequests":
                    return patch with { MaxRequests = ReadInt(value, path, 0) };
                case "maxerrors":
                    return patch with { MaxErrors = ReadInt(value, path, 1) };
                case "maxtokens":
                    return patch with { MaxTokens = ReadInt(value, path, 1) };
                case "maxconcurrency":
                    return patch with { MaxConcurrency = ReadInt(value, path, 1) };
                case "sweepsize":
                    return patch with { SweepSize = ReadInt(value, path, 3) };
                case "seed":
                    return patch with { Seed = ReadInt(value, path, int.MinValue) };
                case "warmupseconds" or "warmup":
                    return patch with { Warmup = ReadDuration(value, path, positive: false) };
                case "cooldownseconds" or "cooldown":
                    return patch with { Cooldown = ReadDuration(value, path, positive: false) };
                case "requesttimeout" or "timeout":
                    return patch with { RequestTimeout = ReadDuration(value, path, positive: true) };
                case "ignoreeos":
                    return patch with { IgnoreEos = ReadBool(value, path) };
                case "tlsinsecureskipverify" or "insecureskipverify":
                    return patch with { InsecureSkipVerify = ReadBool(value, path) };
                case "kerneltimestamps":
                    return patch with { KernelTimestamps = ReadBool(value, path) };
                case "httpclient":
                    return patch with { HttpClient = ReadName<HttpClientKind>(value, path, ProfileNames.TryParseHttpClient, "http_client", "auto or httpclient") ?? patch.HttpClient };
                case "requesttype":
                    return patch with { RequestType = ReadName<RequestType>(value, path, ProfileNames.TryParseRequestType, "request_type", "chat_completions or text_completions") ?? patch.RequestType };
                case "dataspec" or "data":
                    return patch with { Data = ReadDataSpec(value, path) };
                case "prompttokens" when keyNode is null:
                    return patch with { PromptTokens = ReadInt(value, path, 1) };
                case "outputtokens" when keyNode is null:
                    return patch with { OutputTokens = ReadInt(value, path, 1) };
                default:
                    var known = string.Join(", ", keyNode is null ? SettingKeys : [.. TargetKeys, .. SettingKeys]);
                    Error(keyNode ?? value, path, $"unknown key (known: {known})");
                    return patch;
            }
        }

        private DataSpec? ReadDataSpec(YamlNode node, string path)
        {
            var problems = new List<string>();
            DataSpec? spec;
            if (node is YamlMappingNode map)
            {
                var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in map.Children)
                {
                    var key = KeyText(k);
                    var text = Text(v, $"{path}.{key}");
                    if (text is not null)
                    {
                        pairs[key.ToLowerInvariant()] = text;
                    }
                }

                spec = DataSpec.FromPairs(pairs, problems);
            }
            else
            {
                var text = Text(node, path);
                if (text is null)
                {
                    return null;
                }

                spec = DataSpec.Parse(text, problems);
            }

            foreach (var problem in problems)
            {
                Error(node, path, problem);
            }

            return spec;
        }

        private Uri? ReadUrl(YamlNode node, string path)
        {
            var text = RequireText(node, path);
            if (text is null)
            {
                return null;
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri;
            }

            Error(node, path, "must be an absolute http:// or https:// URL");
            return null;
        }

        private string? RequireText(YamlNode node, string path)
        {
            var text = Text(node, path);
            if (string.IsNullOrWhiteSpace(text))
            {
                if (text is not null)
                {
                    Error(node, path, "must not be empty");
                }

                return null;
            }

            return text;
        }

        /// <summary>A named choice (profile, request type, HTTP client); an unknown name is an error listing the expected ones.</summary>
        private T? ReadName<T>(YamlNode node, string path, NameParser<T> parse, string key, string expected)
            where T : struct
        {
            var text = Text(node, path);
            if (text is null)
            {
                return null;
            }

            if (parse(text, out var value))
            {
                return value;
            }

            Error(node, path, $"unknown {key} '{text}' (expected {expected})");
            return null;
        }

        private string? Text(YamlNode node, string path)
        {
            if (node is not YamlScalarNode scalar)
            {
                Error(node, path, "must be a single value, not a list or mapping");
                return null;
            }

            var raw = scalar.Value ?? string.Empty;
            var missing = new List<string>();
            var value = VariableSubstitution.Substitute(raw, environment, missing);
            foreach (var name in missing.Distinct(StringComparer.Ordinal))
            {
                Error(node, path, $"environment variable '{name}' is not set (write ${{{name}:-default}} for an optional one)");
            }

            return missing.Count > 0 ? null : value;
        }

        private int? ReadInt(YamlNode node, string path, int min, int max = int.MaxValue)
        {
            var text = Text(node, path);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            var range = max == int.MaxValue ? $">= {min}" : $"between {min} and {max}";
            Error(node, path, min == int.MinValue ? $"must be a whole number, got '{text}'" : $"must be a whole number {range}, got '{text}'");
            return null;
        }

        private double? ReadDouble(YamlNode node, string path, double min, bool exclusiveMin)
        {
            var text = Text(node, path);
            if (text is null)
            {
                return null;
            }

            if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                && (exclusiveMin ? value > min : value >= min))
            {
                return value;
            }

            Error(node, path, $"must be a number {(exclusiveMin ? ">" : ">=")} {min.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            return null;
        }

        private TimeSpan? ReadDuration(YamlNode node, string path, bool positive)
        {
            var text = Text(node, path);
            if (text is null)
            {
                return null;
            }

            if (DurationParser.TryParse(text, out var value) && (!positive || value > TimeSpan.Zero))
            {
                return value;
            }

            Error(node, path, $"must be a duration {(positive ? "> 0" : ">= 0")} in seconds or with a unit (500ms, 30s, 5m, 1h), got '{text}'");
            return null;
        }

        private bool? ReadBool(YamlNode node, string path)
        {
            var text = Text(node, path);
            switch (text?.Trim().ToLowerInvariant())
            {
                case null:
                    return null;
                case "true" or "yes" or "on" or "1":
                    return true;
                case "false" or "no" or "off" or "0":
                    return false;
                default:
                    Error(node, path, $"must be true or false, got '{text}'");
                    return null;
            }
        }

        private static string? NameOf(YamlNode node) =>
            node is YamlMappingNode map
                ? map.Children.FirstOrDefault(c => Normalize(KeyText(c.Key)) == "name").Value is YamlScalarNode { Value: { Length: > 0 } v } ? v : null
                : null;

        private static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? string.Empty : key.ToString();

        private ConfigError At(YamlNode node, string path, string message) =>
            new(source, (int)node.Start.Line, (int)node.Start.Column, path, message);

        private void Error(YamlNode node, string path, string message) => Errors.Add(At(node, path, message));
    }
}
