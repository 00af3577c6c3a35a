using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>
/// NVIDIA's dcgm-exporter as a Prometheus scrapes it (its names, HELP texts and labels), for GPUs that cannot be here:
/// two GPUs at fixed utilisation and power, whose energy counters (mJ) grow with that power as time passes.
/// </summary>
public sealed class FakeDcgmExporter : IAsyncDisposable
{
    public const string ModelName = "NVIDIA H100 80GB HBM3";

    private readonly WebApplication _app;

    private FakeDcgmExporter(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Each GPU's utilisation (%) and power (W).</summary>
    public static IReadOnlyList<(double Utilization, double Watts)> Gpus { get; } = [(70, 250), (90, 350)];

    public static async Task<FakeDcgmExporter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var clock = Stopwatch.StartNew();
        app.MapGet("/metrics", () => Results.Text(Exposition(clock.Elapsed.TotalSeconds), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeDcgmExporter(app, new Uri(address.TrimEnd('/') + "/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Exposition(double seconds)
    {
        var text = new StringBuilder();
        void Family(string name, string help, string type, Func<int, double> value)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
            for (var gpu = 0; gpu < Gpus.Count; gpu++)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{name}{{gpu=\"{gpu}\",UUID=\"GPU-5e2c7f4a-1b3d-4c5e-8f9a-0b1c2d3e4f5{gpu}\",pci_bus_id=\"00000000:{18 + gpu}:00.0\",device=\"nvidia{gpu}\",modelName=\"{ModelName}\",Hostname=\"gpu-node-1\",DCGM_FI_DRIVER_VERSION=\"550.90.07\"}} {value(gpu).ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }

        Family("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", "gauge", g => Gpus[g].Utilization);
        Family("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", "gauge", g => Gpus[g].Watts);
        Family("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "Total energy consumption since boot (in mJ).", "counter", g => Math.Round(5e9 + (Gpus[g].Watts * seconds * 1000)));
        return text.ToString();
    }
}
