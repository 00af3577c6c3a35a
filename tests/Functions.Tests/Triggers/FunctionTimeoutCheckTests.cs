using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Functions.Tests.Triggers;

/// <summary>The function-timeout check as Program.cs registers it (<c>AddGuidellmFunctions</c>): beside the engine's own start-up validation.</summary>
public sealed class FunctionTimeoutCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _loads;

    public void Dispose() => _dir.Dispose();

    /// <summary>Validates the options at start; returns the failures (empty when it starts).</summary>
    private IReadOnlyList<string> Start(string timeout, string defaults, string environment = "staging")
    {
        var host = _dir.Write("host.json", $$"""{ "version": "2.0", "functionTimeout": "{{timeout}}" }""");

        // ${LOADS} is looked up once per read of the file: it counts the loads.
        var config = _dir.Write("config.yaml", "environments:\n  staging:\n    targets:\n      - { name: llama, url: 'http://127.0.0.1:1', model: m, notes: '${LOADS}' }\ndefaults:\n" + defaults);
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GUIDELLM_CONFIG"] = config,
            ["GUIDELLM_ENVIRONMENT"] = environment,
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }).Build();
        using var services = new ServiceCollection()
            .AddSingleton(new ConfigLoader(name => name == "LOADS" ? Interlocked.Increment(ref _loads).ToString(System.Globalization.CultureInfo.InvariantCulture) : null))
            .AddGuidellmFunctions(settings, host)
            .BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
    }

    [Fact]
    public void A_config_that_fits_is_accepted_and_read_once()
    {
        Assert.Empty(Start("00:30:00", "  profile: constant\n  max_seconds: 600\n"));
        Assert.Equal(1, _loads);
    }

    [Fact]
    public void A_sweep_that_cannot_fit_is_refused_with_the_numbers_beside_the_engines_own_problems()
    {
        var failures = Start("00:30:00", "  profile: sweep\n  sweep_size: 10\n  max_seconds: 180\n", environment: "prod");

        Assert.Equal(2, failures.Count);
        Assert.Contains("Environment (GUIDELLM_ENVIRONMENT) 'prod' is not in the config", failures[0], StringComparison.Ordinal);
        Assert.Contains("staging/llama can take up to 0:32:00", failures[1], StringComparison.Ordinal);
        Assert.Contains("functionTimeout 0:30:00", failures[1], StringComparison.Ordinal);
        Assert.Contains("raise functionTimeout", failures[1], StringComparison.Ordinal);
        Assert.Equal(1, _loads);
    }

    [Fact]
    public void A_request_count_bound_is_judged_by_its_timeouts()
    {
        Assert.Single(Start("00:10:00", "  profile: concurrent\n  rate: 2\n  max_seconds: 0\n  max_requests: 20\n  request_timeout: 60s\n"));
    }
}
