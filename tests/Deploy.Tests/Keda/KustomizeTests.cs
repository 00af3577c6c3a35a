using GuidellmFunctions.Deploy.Tests.Support;
using GuidellmFunctions.Engine.Configuration;
using YamlDotNet.RepresentationModel;

namespace GuidellmFunctions.Deploy.Tests.Keda;

/// <summary>
/// deploy/keda rendered by kustomize (kubectl's) for every overlay, every object validated against the Kubernetes, KEDA
/// and prometheus-operator schemas (npm kubernetes-models), and the wiring between objects checked.
/// </summary>
public sealed class KustomizeTests
{
    public static TheoryData<string> Overlays() => [.. Directory.GetDirectories(Repository.PathOf("deploy", "keda", "overlays")).Select(d => Path.GetFileName(d)!).Order()];

    private static async Task<string> RenderAsync(string overlay)
    {
        var result = await Tool.RunAsync("kubectl", ["kustomize", Repository.PathOf("deploy", "keda", "overlays", overlay)]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {overlay}:\n{result.Stderr}");
        return result.Stdout;
    }

    private static List<YamlMappingNode> Objects(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Find(List<YamlMappingNode> objects, string kind, string name) =>
        Assert.Single(objects, o => Text(o, "kind") == kind && Text(o, "metadata", "name").StartsWith(name, StringComparison.Ordinal));

    private static YamlNode Node(YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step is int index ? ((YamlSequenceNode)node).Children[index] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        }

        return node;
    }

    private static string Text(YamlNode node, params object[] path) => ((YamlScalarNode)Node(node, path)).Value!;

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_rendered_object_is_valid_against_its_schema(string overlay)
    {
        var rendered = await RenderAsync(overlay);

        var result = await Tool.RunAsync("node", [Tool.Validator], stdin: rendered);

        Assert.True(result.ExitCode == 0, $"{overlay}:\n{result.Output}");
        Assert.Contains("10 object(s), 0 invalid", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_validator_rejects_an_invalid_object_naming_the_field()
    {
        const string Bad = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: x}\nspec: {jobTargetRef: {template: {spec: {containers: [{name: c, image: i}]}}}, triggers: [{type: azure-queue, metadata: {queueName: 5}}]}\n";

        var result = await Tool.RunAsync("node", [Tool.Validator], stdin: Bad);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/spec/triggers/0/metadata/queueName", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_worker_scaled_job_reads_the_queue_with_workload_identity_and_the_generated_config(string overlay)
    {
        var objects = Objects(await RenderAsync(overlay));
        var job = Find(objects, "ScaledJob", "guidellm-worker");
        var config = Find(objects, "ConfigMap", "guidellm-config");
        var auth = Find(objects, "TriggerAuthentication", "guidellm-queue");
        var account = Find(objects, "ServiceAccount", "guidellm-runner");

        Assert.Equal("accurate", Text(job, "spec", "scalingStrategy", "strategy"));
        Assert.True(int.Parse(Text(job, "spec", "jobTargetRef", "activeDeadlineSeconds"), System.Globalization.CultureInfo.InvariantCulture) > 30 * 60);
        var trigger = Node(job, "spec", "triggers", 0);
        Assert.Equal("azure-queue", Text(trigger, "type"));
        Assert.Equal(Text(auth, "metadata", "name"), Text(trigger, "authenticationRef", "name"));
        Assert.Equal("azure-workload", Text(auth, "spec", "podIdentity", "provider"));
        Assert.Equal(Text(auth, "spec", "podIdentity", "identityId"), Text(account, "metadata", "annotations", "azure.workload.identity/client-id"));
        var pod = Node(job, "spec", "jobTargetRef", "template");
        Assert.Equal("true", Text(pod, "metadata", "labels", "azure.workload.identity/use"));
        Assert.Equal(Text(account, "metadata", "name"), Text(pod, "spec", "serviceAccountName"));
        Assert.Equal(Text(config, "metadata", "name"), Text(pod, "spec", "volumes", 0, "configMap", "name"));
        var container = Node(pod, "spec", "containers", 0);
        Assert.Equal(["worker", "--once"], ((YamlSequenceNode)Node(container, "args")).Children.Select(c => ((YamlScalarNode)c).Value));
        var env = ((YamlSequenceNode)Node(container, "env")).Children.ToDictionary(e => Text(e, "name"), e => e);
        Assert.Equal(Text(trigger, "metadata", "queueName"), Text(env["GUIDELLM_QUEUE"], "value"));
        Assert.Equal(Text(trigger, "metadata", "accountName"), Text(env["AzureWebJobsStorage__accountName"], "value"));
        Assert.NotEqual("STORAGE_ACCOUNT", Text(trigger, "metadata", "accountName"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_nightly_cron_job_runs_its_environment_under_its_job_name_and_serve_is_scraped(string overlay)
    {
        var objects = Objects(await RenderAsync(overlay));
        var cron = Find(objects, "CronJob", "guidellm-nightly");
        var container = Node(cron, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0);
        var env = ((YamlSequenceNode)Node(container, "env")).Children.ToDictionary(e => Text(e, "name"), e => e);
        Assert.Equal(overlay, Text(env["GUIDELLM_ENVIRONMENT"], "value"));
        Assert.Equal("metadata.labels['batch.kubernetes.io/job-name']", Text(env["JOB_NAME"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Contains("$(JOB_NAME)", ((YamlSequenceNode)Node(container, "args")).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("Forbid", Text(cron, "spec", "concurrencyPolicy"));

        var service = Find(objects, "Service", "guidellm-runner");
        var monitor = Find(objects, "ServiceMonitor", "guidellm-runner");
        var deployment = Find(objects, "Deployment", "guidellm-runner");
        Assert.Equal(Text(service, "spec", "ports", 0, "name"), Text(monitor, "spec", "endpoints", 0, "port"));
        Assert.Equal(Text(service, "metadata", "labels", "app.kubernetes.io/name"), Text(monitor, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Equal(Text(service, "spec", "selector", "app.kubernetes.io/name"), Text(deployment, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
        Assert.Equal("9090", Text(deployment, "spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"));
        Assert.Equal("serve", Text(deployment, "spec", "template", "spec", "containers", 0, "args", 0));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_overlay_config_is_a_valid_runner_config_for_its_environment(string overlay)
    {
        var loader = new ConfigLoader(name => name == "VLLM_API_KEY" ? "test-key" : null);

        var config = loader.LoadFile(Repository.PathOf("deploy", "keda", "overlays", overlay, "config.yaml"));

        Assert.NotEmpty(config.ResolveTargets(overlay));
        Assert.NotNull(config.Archive?.AccountUrl);
    }
}
