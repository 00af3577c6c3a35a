using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Engine.Tests.DependencyInjection;

public sealed class ServiceCollectionExtensionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Resolves_the_engine_with_a_valid_config()
    {
        var path = _dir.Write("ok.yaml", "environments:\n  dev:\n    targets:\n      - { name: a, url: 'http://127.0.0.1:1', model: m }\n");
        using var provider = new ServiceCollection().AddGuidellmEngine(o => { o.ConfigPath = path; o.Environment = "dev"; }).BuildServiceProvider();

        Assert.Equal(path, provider.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value.ConfigPath);
        Assert.NotNull(provider.GetRequiredService<RunCoordinator>());
    }

    [Fact]
    public void Options_validation_reports_every_config_problem_at_once()
    {
        var path = _dir.Write("bad.yaml", "environments:\n  dev:\n    targets:\n      - { name: a, url: 'nope', model: m, rate: -2 }\n");
        using var provider = new ServiceCollection().AddGuidellmEngine(o => { o.ConfigPath = path; o.Environment = "prod"; }).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value);

        Assert.Equal(2, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains("bad.yaml:4:", StringComparison.Ordinal) && f.Contains(".url", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(".rate", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_config_path_is_named()
    {
        using var provider = new ServiceCollection().AddGuidellmEngine(_ => { }).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value);

        Assert.Contains("GUIDELLM_CONFIG", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_running_a_config_it_loaded_itself_gets_the_load_test_service_without_a_config_path()
    {
        using var provider = new ServiceCollection().AddGuidellmEngine(_ => { }).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<LoadTestService>());
        Assert.Same(provider.GetRequiredService<LoadTestService>(), provider.GetRequiredService<LoadTestService>());
    }

    [Fact]
    public void The_queue_worker_and_its_handler_come_from_the_container_over_one_config_source()
    {
        var path = _dir.Write("ok.yaml", "environments:\n  dev:\n    targets:\n      - { name: a, url: 'http://127.0.0.1:1', model: m }\n");
        using var provider = new ServiceCollection()
            .AddGuidellmEngine(o => HostSettings.Apply(o, name => name switch { "GUIDELLM_CONFIG" => path, "AzureWebJobsStorage" => "UseDevelopmentStorage=true", "GUIDELLM_QUEUE" => "runs-x", _ => null }, "out"))
            .BuildServiceProvider();

        var handler = provider.GetRequiredService<OnDemandRunHandler>();

        Assert.NotNull(provider.GetRequiredService<QueueWorker>());
        Assert.Equal("runs-x", handler.Queue.Name);
        Assert.Same(provider.GetRequiredService<ConfigSource>(), provider.GetRequiredService<ConfigSource>());
    }

    [Theory]
    [InlineData("AzureWebJobsStorage__accountName", "acct", "https://acct.queue.core.windows.net/")]
    [InlineData("AzureWebJobsStorage__queueServiceUri", "https://q.example/", "https://q.example/")]
    public void Host_settings_fill_the_options_with_defaults_and_an_identity_based_storage(string name, string value, string queueServiceUri)
    {
        var options = new GuidellmEngineOptions();

        HostSettings.Apply(options, n => n == name ? value : n == "GUIDELLM_OUTPUT" ? string.Empty : null, defaultOutput: "/tmp/g");

        Assert.Null(options.ConfigPath);
        Assert.Null(options.StorageConnection);
        Assert.Equal(new Uri(queueServiceUri), options.QueueServiceUri);
        Assert.Equal("guidellm-runs", options.Queue);
        Assert.Equal("/tmp/g", options.OutputDirectory);
    }
}
