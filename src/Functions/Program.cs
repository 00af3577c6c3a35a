using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

LoadGeneratorRuntime.ConfigureThreadPool();
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureAppConfiguration(configuration => configuration.AddEnvironmentVariables())
    .ConfigureServices((context, services) => services.AddGuidellmFunctions(context.Configuration, Path.Combine(AppContext.BaseDirectory, "host.json")))
    .Build();
await host.RunAsync();
