using System.Threading.Channels;
using GuidellmFunctions.Cli.Commands;
using GuidellmFunctions.Cli.Serving;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Discovery;
using GuidellmFunctions.Engine.Runs;
using GuidellmFunctions.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GuidellmFunctions.Cli.Tests.Serving;

/// <summary>
/// The schedule of <c>serve</c> on a <see cref="FakeTimeProvider"/>: its intervals pass only when the test advances the
/// clock, after the scheduler has set the timers it waits on, so "no run" is a fact rather than a guess. Runs are real: the
/// simulator answers them, and the models come from a router stand-in over real HTTP.
/// </summary>
public sealed class TargetSchedulerTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-scheduler-").FullName;
    private readonly CountingTime _time = new();
    private readonly Channel<string> _said = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly List<string> _seen = [];
    private SimulatorServer _server = null!;
    private WebApplication _router = null!;
    private Uri _models = null!;
    private volatile string[]? _listed = [];
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _server = await SimulatorServer.StartAsync(new SimulatorOptions { TtftMs = 1, ItlMs = 1 });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _router = builder.Build();
        _router.MapGet("/v1/models", () => _listed is { } ids
            ? Results.Json(new { @object = "list", data = ids.Select(id => new { id, @object = "model", model_type = id.StartsWith("embed/", StringComparison.Ordinal) ? "embedding" : "text" }) })
            : Results.Json(new { error = "router down" }, statusCode: 503));
        await _router.StartAsync();
        _models = new Uri(_router.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/v1/models");
        _services = EngineServices.Create(NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _router.DisposeAsync();
        await _server.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private RunnerConfig Raw(bool listed) => new ConfigLoader(_ => null).LoadText($$"""
        {{(listed ? $"environments: {{ dev: {{ targets: [{{ name: listed, url: \"{_server.V1}\", model: \"{_server.Options.Model}\" }}] }} }}" : string.Empty)}}
        defaults: { profile: concurrent, rate: 1, max_requests: 1, interval: {{(int)Interval.TotalMinutes}}m, data_spec: "prompt_tokens=8,output_tokens=4" }
        discovery:
          enabled: true
          environments:
            dev: { endpoint: "{{_models}}", base_url: "{{_server.V1}}/chat/completions" }
        """, "serve.yaml");

    private async Task<(TargetScheduler Scheduler, Task Serving)> StartAsync(RunnerConfig raw, bool paused = false)
    {
        var discovery = new ModelDiscovery();
        var loaded = await discovery.ApplyAsync(raw);
        var scheduler = new TargetScheduler(loaded, _services.GetRequiredService<LoadTestService>(), _time, Path.Combine(_dir, "out"), new PullMetrics(Prometheus.Metrics.NewCustomRegistry(), loaded.Buckets), NullLogger.Instance, line => _said.Writer.TryWrite(line), ct => discovery.ApplyAsync(raw, ct));
        scheduler.SetPaused(paused);
        foreach (var target in loaded.ResolveAll())
        {
            scheduler.Add(target, start: true);
        }

        return (scheduler, scheduler.RunUntilCancelledAsync(_stop.Token));
    }

    /// <summary>Reads what the scheduler said until <paramref name="times"/> lines in all contained <paramref name="text"/>.</summary>
    private async Task SaysAsync(string text, int times = 1)
    {
        while (_seen.Count(l => l.Contains(text, StringComparison.Ordinal)) < times)
        {
            _seen.Add(await _said.Reader.ReadAsync(_stop.Token));
        }
    }

    private int Said(string text)
    {
        while (_said.Reader.TryRead(out var line))
        {
            _seen.Add(line);
        }

        return _seen.Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_interval_lists_the_models_again_and_a_failing_router_keeps_the_last_known_targets()
    {
        _listed = ["org/a"];
        var (scheduler, serving) = await StartAsync(Raw(listed: false));
        await SaysAsync("dev/org-a run ");
        await _time.WaitForTimersAsync(2, _stop.Token); // the discovery's interval and org-a's

        _listed = ["org/b"];
        _time.Advance(Interval);
        await SaysAsync("dev/org-b run ");
        Assert.Equal(["org-b"], scheduler.Targets.Select(t => t.Name));
        Assert.Equal(1, Said("dev/org-a is no longer listed"));
        await _time.WaitForTimersAsync(4, _stop.Token);

        _listed = null;
        _time.Advance(Interval);
        await SaysAsync("model discovery failed: the model list answered HTTP 503");
        await SaysAsync("dev/org-b run ", times: 2);
        Assert.Equal(["org-b"], scheduler.Targets.Select(t => t.Name));
        Assert.True(scheduler.Targets[0].Running);
        Assert.Contains(scheduler.Config.Warnings, w => w.Key == "discovery.environments.dev");
        await _time.WaitForTimersAsync(6, _stop.Token);

        _listed = ["org/b", "org/c", "embed/e"];
        _time.Advance(Interval);
        await SaysAsync("dev/org-c run ");
        Assert.Equal(["org-b", "org-c"], scheduler.Targets.Select(t => t.Name));
        Assert.Empty(scheduler.Config.Warnings);
        Assert.Equal(1, Said("dev/org-a run "));

        await _stop.CancelAsync();
        await serving;
    }

    [Fact]
    public async Task While_paused_no_run_starts_however_many_intervals_pass_and_resume_runs_at_once()
    {
        var (scheduler, serving) = await StartAsync(Raw(listed: true));
        await SaysAsync("dev/listed run ");
        await _time.WaitForTimersAsync(2, _stop.Token);
        var requests = _server.CompletionRequestsReceived;

        scheduler.SetPaused(true);
        _time.Advance(Interval); // listed's interval ends and its loop finds the schedule paused; the discovery runs
        await _time.WaitForTimersAsync(3, _stop.Token);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Interval);
            await _time.WaitForTimersAsync(4 + i, _stop.Token);
        }

        Assert.Equal(1, Said("dev/listed run "));
        Assert.Equal(requests, _server.CompletionRequestsReceived);
        Assert.Equal(0, scheduler.RunsInProgress);

        scheduler.SetPaused(false);
        await SaysAsync("dev/listed run ", times: 2);
        Assert.Equal(requests + 1, _server.CompletionRequestsReceived);
        Assert.Contains(_seen, l => l.Contains("dev/listed run ", StringComparison.Ordinal) && l.EndsWith(": completed", StringComparison.Ordinal));

        await _stop.CancelAsync();
        await serving;
    }

    /// <summary>A fake clock that counts the timers set with a finite due time, so a test advances only once they are set.</summary>
    private sealed class CountingTime : TimeProvider
    {
        private readonly FakeTimeProvider _fake = new();
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _created;

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

        public override long GetTimestamp() => _fake.GetTimestamp();

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

        public void Advance(TimeSpan by) => _fake.Advance(by);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = _fake.CreateTimer(callback, state, dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_gate)
                {
                    _created++;
                    foreach (var waiter in _waiters.Where(w => w.Count <= _created).ToList())
                    {
                        waiter.Done.TrySetResult();
                        _waiters.Remove(waiter);
                    }
                }
            }

            return timer;
        }

        /// <summary>Completes once <paramref name="count"/> finite timers have been set in all.</summary>
        public Task WaitForTimersAsync(int count, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_created >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task.WaitAsync(cancellationToken);
            }
        }
    }
}
