using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Functions.Triggers;

namespace GuidellmFunctions.Functions.Tests.Triggers;

public sealed class FunctionTimeoutValidatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-fto-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (FunctionTimeoutValidator Validator, GuidellmEngineOptions Options) Setup(string timeout, string defaults)
    {
        var host = Path.Combine(_dir, "host.json");
        File.WriteAllText(host, $$"""{ "version": "2.0", "functionTimeout": "{{timeout}}" }""");
        var config = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(config, "environments:\n  staging:\n    targets:\n      - { name: llama, url: 'http://127.0.0.1:1', model: m }\ndefaults:\n" + defaults);
        return (new FunctionTimeoutValidator(new ConfigLoader(_ => null), host), new GuidellmEngineOptions { ConfigPath = config });
    }

    [Fact]
    public void A_config_that_fits_is_accepted()
    {
        var (validator, options) = Setup("00:30:00", "  profile: constant\n  max_seconds: 600\n");

        Assert.True(validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void A_sweep_that_cannot_fit_is_refused_with_the_numbers()
    {
        var (validator, options) = Setup("00:30:00", "  profile: sweep\n  sweep_size: 10\n  max_seconds: 180\n");

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("staging/llama can take up to 0:32:00", failure, StringComparison.Ordinal);
        Assert.Contains("functionTimeout 0:30:00", failure, StringComparison.Ordinal);
        Assert.Contains("raise functionTimeout", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_count_bound_is_judged_by_its_timeouts()
    {
        var (validator, options) = Setup("00:10:00", "  profile: concurrent\n  rate: 2\n  max_seconds: 0\n  max_requests: 20\n  request_timeout: 60s\n");

        Assert.True(validator.Validate(null, options).Failed);
    }
}
