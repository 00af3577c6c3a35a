using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Engine.Configuration.Reading;

/// <summary>Reads the top level of the config and hands each section to its reader.</summary>
internal sealed class RootReader(YamlValues yaml)
{
    public RunnerConfig Read(YamlMappingNode root)
    {
        var environments = new List<EnvironmentConfig>();
        var defaults = new BenchmarkSettingsPatch();
        var port = PrometheusReader.DefaultPort;
        var sawEnvironments = false;
        IReadOnlyList<RemoteWriteConfig> remoteWrite = [];
        ArchiveConfig? archive = null;
        DiscoveryConfig? discovery = null;
        List<DatasetSpec> datasets = [];
        var buckets = Export.HistogramLayout.Default;
        var limits = QueueLimits.Default;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = YamlValues.KeyText(keyNode);
            switch (YamlValues.Normalize(key))
            {
                case "environments":
                    sawEnvironments = true;
                    environments = new EnvironmentsReader(yaml).Read(value, key);
                    break;
                case "defaults":
                    defaults = new SettingsReader(yaml).ReadMapping(value, key);
                    break;
                case "prometheus":
                    port = new PrometheusReader(yaml).Read(value, key);
                    break;
                case "archive":
                    archive = new ArchiveReader(yaml).Read(value, key);
                    break;
                case "datasets":
                    datasets = new DatasetReader(yaml).ReadList(value, key);
                    break;
                case "remotewrite":
                    remoteWrite = new RemoteWriteReader(yaml).Read(value, key);
                    break;
                case "buckets":
                    buckets = new BucketsReader(yaml).Read(value, key);
                    break;
                case "limits":
                    limits = new LimitsReader(yaml).Read(value, key);
                    break;
                case "discovery":
                    discovery = new DiscoveryReader(yaml).Read(value, key);
                    break;
                default:
                    yaml.Error(keyNode, key, "unknown key (expected environments, defaults, datasets, prometheus, remote_write, buckets, archive, limits, discovery)");
                    break;
            }
        }

        if (!sawEnvironments && discovery is not { Enabled: true, Environments.Count: > 0 })
        {
            yaml.Error(new ConfigError(yaml.Source, 1, 1, "environments", "missing: the config must define at least one environment (or discovery with environments)"));
        }

        var catalog = DatasetCatalog.Collect(datasets, defaults, environments, yaml.Source, yaml.Errors);
        return new RunnerConfig
        {
            Datasets = catalog,
            Source = yaml.Source,
            Environments = environments,
            Defaults = defaults,
            PrometheusPort = port,
            RemoteWrite = remoteWrite,
            Buckets = buckets,
            Archive = archive,
            Limits = limits,
            Discovery = discovery,
            Warnings = yaml.Warnings,
        };
    }
}
