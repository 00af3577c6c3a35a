using GuidellmFunctions.Engine.DependencyInjection;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

LoadGeneratorRuntime.ConfigureThreadPool();
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureServices(services =>
    {
        services.AddGuidellmEngine(options =>
        {
            options.ConfigPath = Environment.GetEnvironmentVariable("GUIDELLM_CONFIG");
            options.Environment = Environment.GetEnvironmentVariable("GUIDELLM_ENVIRONMENT");
            options.StorageConnection = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
            options.QueueServiceUri = IdentityQueueServiceUri();
            options.Queue = Environment.GetEnvironmentVariable("GUIDELLM_QUEUE") is { Length: > 0 } queue ? queue : RunQueue.DefaultName;
            options.OutputDirectory = Environment.GetEnvironmentVariable("GUIDELLM_OUTPUT") ?? Path.Combine(Path.GetTempPath(), "guidellm");
        });
        services.AddSingleton<IRunnerConfigCheck>(new FunctionTimeoutCheck(Path.Combine(AppContext.BaseDirectory, "host.json")));
    })
    .Build();
await host.RunAsync();

// An identity-based AzureWebJobsStorage (Flex Consumption with a managed identity) has no connection string.
static Uri? IdentityQueueServiceUri() =>
    Environment.GetEnvironmentVariable("AzureWebJobsStorage__queueServiceUri") is { Length: > 0 } uri ? new Uri(uri)
    : Environment.GetEnvironmentVariable("AzureWebJobsStorage__accountName") is { Length: > 0 } account ? new Uri($"https://{account}.queue.core.windows.net")
    : null;
