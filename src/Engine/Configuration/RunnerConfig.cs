namespace GuidellmFunctions.Engine.Configuration;

/// <summary>A loaded and validated configuration.</summary>
public sealed record RunnerConfig
{
    /// <summary>Where the configuration came from (a path, or a description).</summary>
    public required string Source { get; init; }

    /// <summary>Environments by name, in config order.</summary>
    public required IReadOnlyList<EnvironmentConfig> Environments { get; init; }

    /// <summary>Settings under <c>defaults:</c>.</summary>
    public BenchmarkSettingsPatch Defaults { get; init; } = new();

    /// <summary>Port of the pull-mode <c>/metrics</c> endpoint (<c>prometheus.port</c>, default 9090).</summary>
    public int PrometheusPort { get; init; } = 9090;

    /// <summary>Prometheus remote_write receivers (<c>remote_write:</c>); empty when results are not pushed.</summary>
    public IReadOnlyList<RemoteWriteConfig> RemoteWrite { get; init; } = [];

    /// <summary>Classic histogram buckets per latency histogram (<c>buckets:</c>), pushed, served and reported alike.</summary>
    public Export.HistogramLayout Buckets { get; init; } = Export.HistogramLayout.Default;

    /// <summary>The blob archive of reports (<c>archive:</c>); null to keep reports in a local directory only.</summary>
    public ArchiveConfig? Archive { get; init; }

    /// <summary>The named datasets (<c>datasets:</c> and named <c>dataset:</c> mappings), the ones a flag or queue message may pick.</summary>
    public IReadOnlyList<DatasetSpec> Datasets { get; init; } = [];

    /// <summary>What an on-demand queue message may ask of each target (<c>limits:</c>; built-in caps when absent).</summary>
    internal QueueLimits Limits { get; init; } = QueueLimits.Default;

    /// <summary>The Go runner's <c>discovery:</c> section; null when absent. <see cref="Discovery.ModelDiscovery"/> acts on it.</summary>
    public DiscoveryConfig? Discovery { get; init; }

    /// <summary>Things worth a look that do not stop a run (a model router that could not be listed, for example).</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];

    /// <summary>Finds an environment by name (case-sensitive, as labels are).</summary>
    public EnvironmentConfig? FindEnvironment(string name) =>
        Environments.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// The targets of <paramref name="environment"/> with effective settings (all of them when <paramref name="targetNames"/>
    /// is empty), with <paramref name="overrides"/> applied last. Every unknown name and invalid setting is reported at once.
    /// </summary>
    public IReadOnlyList<ResolvedTarget> ResolveTargets(string environment, IReadOnlyCollection<string>? targetNames = null, BenchmarkSettingsPatch? overrides = null)
    {
        var env = FindEnvironment(environment)
            ?? throw new ConfigValidationException([new ConfigError(Source, 0, 0, "environments", $"unknown environment '{environment}' (known: {string.Join(", ", Environments.Select(e => e.Name))})")]);

        var errors = new List<ConfigError>();
        var wanted = targetNames is { Count: > 0 } ? targetNames : null;
        foreach (var name in wanted ?? [])
        {
            if (!env.Targets.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal)))
            {
                errors.Add(new ConfigError(Source, 0, 0, $"environments.{environment}.targets", $"unknown target '{name}' (known: {string.Join(", ", env.Targets.Select(t => t.Name))})"));
            }
        }

        var baseline = new BenchmarkSettings().With(Defaults);
        var resolved = new List<ResolvedTarget>();
        foreach (var target in env.Targets)
        {
            if (wanted is not null && !wanted.Contains(target.Name))
            {
                continue;
            }

            var problems = new List<(string Key, string Message)>();
            var settings = DatasetCatalog.Resolve(baseline.With(target.Settings).With(overrides), Datasets, problems);
            settings.Validate(problems);
            var index = env.Targets.ToList().IndexOf(target);
            errors.AddRange(problems.Select(p => new ConfigError(Source, target.SourceLine, 0, $"environments.{environment}.targets[{index}] ({target.Name}).{p.Key}", p.Message)));
            resolved.Add(new ResolvedTarget(environment, target, settings));
        }

        return errors.Count > 0 ? throw new ConfigValidationException(errors) : resolved;
    }

    /// <summary>Resolves every target of every environment, reporting all problems at once.</summary>
    public IReadOnlyList<ResolvedTarget> ResolveAll()
    {
        var errors = new List<ConfigError>();
        var all = new List<ResolvedTarget>();
        foreach (var env in Environments)
        {
            try
            {
                all.AddRange(ResolveTargets(env.Name));
            }
            catch (ConfigValidationException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return errors.Count > 0 ? throw new ConfigValidationException(errors) : all;
    }
}
