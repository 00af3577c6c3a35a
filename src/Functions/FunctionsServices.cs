using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GuidellmFunctions.Functions;

/// <summary>
/// The Functions app's composition: the engine through <c>AddGuidellmEngine</c> with
/// its options bound from the app settings (<see cref="HostSettings"/>: app settings in Azure, <c>local.settings.json</c>
/// under <c>func start</c>), and the start-up check against host.json's <c>functionTimeout</c>.
/// </summary>
internal static class FunctionsServices
{
    public static IServiceCollection AddGuidellmFunctions(this IServiceCollection services, IConfiguration settings, string hostJsonPath)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Configuration keys use ':' where the environment variable of an identity-based connection uses "__".
        services.AddGuidellmEngine(options => HostSettings.Apply(
            options,
            name => settings[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)],
            defaultOutput: Path.Combine(Path.GetTempPath(), "guidellm")));
        services.AddSingleton<IRunnerConfigCheck>(new FunctionTimeoutCheck(hostJsonPath));
        return services;
    }
}
