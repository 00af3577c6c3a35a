using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Discovery;
using GuidellmFunctions.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Tests.Discovery;

/// <summary>The Go runner's <c>discovery:</c> against real model lists: the simulator's, and a router stand-in's.</summary>
public sealed class ModelDiscoveryTests
{
    private static RunnerConfig Load(string yaml) => new ConfigLoader(_ => null).LoadText(yaml, "discovery.yaml");

    /// <summary>A router on a free loopback port answering <c>/v1/models</c> with a fixed status and body; keeps the Authorization header it saw.</summary>
    private sealed class Router : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Router(WebApplication app, Uri address)
        {
            _app = app;
            Models = new Uri(address, "v1/models");
        }

        public Uri Models { get; }

        public string? Authorization { get; private set; }

        public static async Task<Router> StartAsync(int status, string body, bool hang = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            Router? router = null;
            app.MapGet("/v1/models", async (HttpContext context) =>
            {
                router!.Authorization = context.Request.Headers.Authorization.ToString();
                if (hang)
                {
                    // Never answers: the caller's own limit must end the wait.
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                return Results.Text(body, "application/json", statusCode: status);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            router = new Router(app, new Uri(address.TrimEnd('/') + "/"));
            return router;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_simulators_model_becomes_a_target_named_from_its_id_with_the_defaults_applied()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions());
        var config = Load($$"""
            defaults: { rate: 3, max_requests: 7, slo: { ttft_ms: 500 } }
            discovery:
              enabled: true
              environments:
                dev:
                  endpoint: {{server.V1}}/models
            """);

        var discovered = await new ModelDiscovery().ApplyAsync(config);

        var target = Assert.Single(discovered.ResolveTargets("dev"));
        Assert.Equal("simulated-llama-3.1-8b-instruct", target.Target.Name);
        Assert.Equal("simulated/llama-3.1-8b-instruct", target.Target.Model);
        Assert.Equal(new Uri(server.V1 + "/chat/completions"), target.Endpoint);
        Assert.Equal(3, target.Settings.Rate);
        Assert.Equal(7, target.Settings.MaxRequests);
        Assert.NotNull(target.Settings.Get(SettingsTable.Slo));
        Assert.Empty(discovered.Warnings);
    }

    [Fact]
    public async Task A_router_listing_several_models_gives_its_text_models_and_a_listed_target_wins_a_name_clash()
    {
        await using var router = await Router.StartAsync(200, """
            {"object":"list","data":[
              {"id":"unsloth/gpt-oss-20b","object":"model","model_type":"text"},
              {"id":"BAAI/bge-m3","object":"model","model_type":"embedding"},
              {"id":"/mistral/7b/","object":"model","model_type":"text"},
              {"id":"listed","object":"model","model_type":"text"}]}
            """);
        var config = Load($$"""
            environments:
              develop:
                targets:
                  - { name: listed, url: "http://127.0.0.1:1/v1", model: by-hand }
            discovery:
              enabled: true
              environments:
                develop:
                  endpoint: {{router.Models}}
                  base_url: http://127.0.0.1:2/v1/chat/completions
                  api_key: router-key
            """);

        var targets = (await new ModelDiscovery().ApplyAsync(config)).ResolveTargets("develop");

        Assert.Equal(["listed", "unsloth-gpt-oss-20b", "mistral-7b"], targets.Select(t => t.Target.Name));
        Assert.Equal(["by-hand", "unsloth/gpt-oss-20b", "/mistral/7b/"], targets.Select(t => t.Target.Model));
        Assert.Null(targets[0].Target.DiscoveredFrom);
        Assert.All(targets.Skip(1), t => Assert.Equal("http://127.0.0.1:2/v1/chat/completions", t.Endpoint.ToString()));
        Assert.All(targets.Skip(1), t => Assert.Equal("router-key", t.Target.ApiKey!.Reveal()));
        Assert.Equal("Bearer router-key", router.Authorization);
    }

    [Theory]
    [InlineData(503, "{\"error\":\"down\"}", "HTTP 503")]
    [InlineData(200, "<html>login</html>", "not JSON")]
    [InlineData(200, "{\"models\":[]}", "not a model list")]
    public async Task A_failing_router_is_a_warning_naming_the_environment_and_the_listed_targets_still_run(int status, string body, string reason)
    {
        await using var router = await Router.StartAsync(status, body);
        var config = Load($$"""
            environments:
              develop:
                targets:
                  - { name: listed, url: "http://127.0.0.1:1/v1", model: m }
            discovery:
              enabled: true
              environments:
                develop: { endpoint: "{{router.Models}}", api_key: secret-router-key }
            """);

        var discovered = await new ModelDiscovery().ApplyAsync(config);

        Assert.Equal(["listed"], discovered.ResolveAll().Select(t => t.Target.Name));
        var warning = Assert.Single(discovered.Warnings);
        Assert.Equal("discovery.environments.develop", warning.Key);
        Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-router-key", warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_router_is_reported_and_an_environment_only_discovery_names_is_added_when_it_answers()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorOptions { Model = "org/only" });
        var free = Support.LoopbackPorts.Free();
        var config = Load($$"""
            discovery:
              enabled: true
              environments:
                gone: { endpoint: "http://127.0.0.1:{{free}}/v1/models" }
                fresh: { endpoint: "{{server.V1}}/models" }
            """);

        var discovered = await new ModelDiscovery().ApplyAsync(config);

        Assert.Equal(["fresh"], discovered.Environments.Select(e => e.Name));
        Assert.Equal("org-only", Assert.Single(discovered.ResolveTargets("fresh")).Target.Name);
        Assert.Contains("cannot reach the model list", Assert.Single(discovered.Warnings, w => w.Key == "discovery.environments.gone").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_that_never_answers_is_given_up_after_the_list_timeout_on_the_time_providers_clock()
    {
        await using var router = await Router.StartAsync(200, "{\"data\":[]}", hang: true);
        var config = Load($$"""
            environments:
              develop:
                targets:
                  - { name: listed, url: "http://127.0.0.1:1/v1", model: m }
            discovery:
              enabled: true
              environments:
                develop: { endpoint: "{{router.Models}}" }
            """);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();

        var discovering = new ModelDiscovery(time: time).ApplyAsync(config);
        time.Advance(ModelDiscovery.ListTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(discovering.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var discovered = await discovering;

        Assert.Equal(["listed"], discovered.ResolveAll().Select(t => t.Target.Name));
        Assert.Contains("did not answer within 10 s", Assert.Single(discovered.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_discovery_lists_nothing_and_bad_sections_are_errors_naming_their_keys()
    {
        var disabled = Load("""
            environments:
              dev:
                targets: [{ name: a, url: "http://127.0.0.1:1/v1", model: m }]
            discovery: { enabled: false, environments: { dev: { endpoint: "http://127.0.0.1:1/v1/models" } } }
            """);
        Assert.Same(disabled, await new ModelDiscovery().ApplyAsync(disabled));

        var ex = Assert.Throws<ConfigValidationException>(() => Load("""
            environments:
              dev:
                targets: [{ name: a, url: "http://127.0.0.1:1/v1", model: m }]
            discovery:
              enabled: true
              refresh: 5m
              environments:
                dev: { base_url: "http://x/v1", token: t }
                ftp: { endpoint: "ftp://x/models" }
            """));

        Assert.Equal(
            ["discovery.refresh", "discovery.environments.dev.token", "discovery.environments.dev.endpoint", "discovery.environments.ftp.endpoint"],
            ex.Errors.Select(e => e.Key));
    }
}
