using System.Net.Http.Headers;
using System.Text.Json;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Discovery;

/// <summary>
/// The Go runner's model discovery: for each environment of <c>discovery.environments</c>, lists the models at its
/// <c>endpoint</c> (only text-generation models when the list says what each model is), and makes one target per model,
/// named from the model id with slashes turned to hyphens, its <c>model</c> label the id, its URL the environment's
/// <c>base_url</c>. A target listed by hand wins a name clash. A router that cannot be listed is a warning naming the
/// environment and the reason, and the listed targets run as before.
/// </summary>
public sealed partial class ModelDiscovery
{
    /// <summary>How long one model list may take, as the Go runner allowed (measured on the <see cref="TimeProvider"/> given).</summary>
    public static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How the warning of a router that could not be listed begins.</summary>
    public const string FailurePrefix = "model discovery failed:";

    private static readonly HttpClient SharedHttp = new() { Timeout = Timeout.InfiniteTimeSpan };

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the discovery.</summary>
    /// <param name="http">Client for the model lists (a shared one when null).</param>
    /// <param name="logger">Logs what each router listed and each failure.</param>
    /// <param name="time">Clock of <see cref="ListTimeout"/> (the system's when null).</param>
    public ModelDiscovery(HttpClient? http = null, ILogger<ModelDiscovery>? logger = null, TimeProvider? time = null)
    {
        _http = http ?? SharedHttp;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// The config with the discovered targets merged into its environments (an environment only discovery names is added),
    /// and one warning per environment whose models could not be listed. Returns <paramref name="config"/> itself when
    /// discovery is absent or disabled.
    /// </summary>
    public async Task<RunnerConfig> ApplyAsync(RunnerConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Discovery is not { Enabled: true } discovery || discovery.Environments.Count == 0)
        {
            return config;
        }

        var listed = await Task.WhenAll(discovery.Environments.Select(e => ListAsync(e, cancellationToken))).ConfigureAwait(false);
        var environments = config.Environments.ToList();
        var warnings = config.Warnings.ToList();
        foreach (var (env, models, failure) in listed)
        {
            var key = $"discovery.environments.{env.Name}";
            if (failure is not null)
            {
                LogFailed(_logger, env.Name, EffectiveConfig.RedactUrl(env.Endpoint), failure);
                warnings.Add(new ConfigError(config.Source, env.SourceLine, 0, key, $"{FailurePrefix} {failure}; the listed targets still run"));
                continue;
            }

            var index = environments.FindIndex(e => string.Equals(e.Name, env.Name, StringComparison.Ordinal));
            var targets = index >= 0 ? environments[index].Targets.ToList() : [];
            var added = 0;
            foreach (var model in models!)
            {
                var name = TargetName(model);
                if (name.Length == 0)
                {
                    warnings.Add(new ConfigError(config.Source, env.SourceLine, 0, key, $"model '{model}' gives no target name; skipped"));
                    continue;
                }

                if (targets.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal)))
                {
                    continue;
                }

                targets.Add(new TargetConfig { Name = name, Url = env.TargetUrl, Model = model, ApiKey = env.ApiKey, DiscoveredFrom = EffectiveConfig.RedactUrl(env.Endpoint), SourceLine = env.SourceLine });
                added++;
            }

            LogListed(_logger, env.Name, models.Count, added);
            if (index >= 0)
            {
                environments[index] = environments[index] with { Targets = targets };
            }
            else
            {
                environments.Add(new EnvironmentConfig(env.Name, targets));
            }
        }

        return config with { Environments = environments, Warnings = warnings };
    }

    /// <summary>A target name from a model id: slashes become hyphens, leading and trailing hyphens go (the Go runner's rule).</summary>
    public static string TargetName(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return modelId.Replace('/', '-').Trim('-');
    }

    private async Task<(DiscoveryEnvironment Env, IReadOnlyList<string>? Models, string? Failure)> ListAsync(DiscoveryEnvironment env, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(ListTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, env.Endpoint);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (env.ApiKey is { IsEmpty: false } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (env, null, $"the model list answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            }

            var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token).ConfigureAwait(false);
                return Models(json.RootElement) is { } models ? (env, models, null) : (env, null, "the answer is not a model list (expected {\"data\": [{\"id\": ...}]})");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (env, null, $"the model list did not answer within {ListTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            return (env, null, $"cannot reach the model list: {ex.Message}");
        }
        catch (JsonException ex)
        {
            return (env, null, $"the answer is not JSON: {ex.Message}");
        }
    }

    /// <summary>The text-generation model ids of an OpenAI model list; null when it is not one.</summary>
    private static List<string>? Models(JsonElement root)
    {
        if (ModelsProbe.ReadList(root) is not { } entries)
        {
            return null;
        }

        var models = new List<string>();
        foreach (var (id, type) in entries)
        {
            if (id is not { Length: > 0 })
            {
                return null;
            }

            // The Go runner's router says what each model is in model_type; a list that does not say (vLLM, OpenAI) is all text.
            if (type is not null && !string.Equals(type, "text", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!models.Contains(id, StringComparer.Ordinal))
            {
                models.Add(id);
            }
        }

        return models;
    }

    [LoggerMessage(1201, LogLevel.Information, "Discovery of {Environment}: {Models} text model(s) listed, {Added} target(s) added")]
    private static partial void LogListed(ILogger logger, string environment, int models, int added);

    [LoggerMessage(1202, LogLevel.Warning, "Discovery of {Environment} at {Endpoint} failed: {Reason}; the listed targets still run")]
    private static partial void LogFailed(ILogger logger, string environment, string endpoint, string reason);
}
