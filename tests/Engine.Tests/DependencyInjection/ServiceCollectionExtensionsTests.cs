using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Load;
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
}
