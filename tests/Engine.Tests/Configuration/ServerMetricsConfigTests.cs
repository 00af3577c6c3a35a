using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Tests.Configuration;

/// <summary><c>server_metrics</c>: each way of writing it, every problem at once with its key and line, secrets masked in the report.</summary>
public sealed class ServerMetricsConfigTests
{
    private static RunnerConfig Load(string target, string defaults = "") => new ConfigLoader(_ => null).LoadText($$"""
        environments:
          dev:
            targets:
              - name: a
                url: "http://127.0.0.1:1"
                model: m
        {{target}}
        defaults:
          max_seconds: 5
        {{defaults}}
        """, "server.yaml");

    private static ServerMetricsSetting Setting(string target, string defaults = "") =>
        Load(target, defaults).ResolveTargets("dev")[0].Settings.Get(SettingsTable.ServerMetrics);

    [Fact]
    public void The_targets_own_metrics_are_read_unless_told_otherwise()
    {
        Assert.Equal(ServerMetricsKind.Target, Setting(string.Empty).Kind);
        Assert.Equal(ServerMetricsKind.Target, Setting("        server_metrics: true").Kind);
        Assert.Equal(ServerMetricsKind.Off, Setting("        server_metrics: false").Kind);
        Assert.Equal(ServerMetricsKind.Off, Setting(string.Empty, "  server_metrics: false").Kind);
        Assert.Equal(ServerMetricsKind.Target, Setting("        server_metrics: true", "  server_metrics: false").Kind);
    }

    [Fact]
    public void A_url_or_a_query_api_with_selectors_and_auth_is_read_whole()
    {
        var url = Setting("        server_metrics: http://metrics.svc:8000/metrics");
        Assert.Equal((ServerMetricsKind.Url, "http://metrics.svc:8000/metrics"), (url.Kind, url.Url!.ToString()));
        Assert.Equal(url, Setting("        server_metrics: { url: http://metrics.svc:8000/metrics }"));

        var prometheus = Setting("""
                    server_metrics:
                      prometheus: http://prometheus:9090
                      selector: '{namespace="llm", pod=~"m-.*"}'
                      gpu_selector: '{namespace="llm"}'
                      headers: { X-Scope-OrgID: team }
                      basic_auth: { username: runner, password: hunter2-secret }
                      interval: 2s
                      timeout: 500ms
            """);

        Assert.Equal(ServerMetricsKind.Prometheus, prometheus.Kind);
        Assert.Equal("http://prometheus:9090/", prometheus.Url!.ToString());
        Assert.Equal("{namespace=\"llm\", pod=~\"m-.*\"}", prometheus.Selector);
        Assert.Equal("{namespace=\"llm\"}", prometheus.GpuSelector);
        Assert.Equal("team", prometheus.Headers["X-Scope-OrgID"].Reveal());
        Assert.Equal(("runner", "hunter2-secret"), (prometheus.BasicAuthUsername, prometheus.BasicAuthPassword!.Reveal()));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500)), (prometheus.Interval, prometheus.Timeout));
    }

    [Fact]
    public void The_report_shows_the_setting_with_every_secret_masked()
    {
        var target = Load("""
                    server_metrics:
                      prometheus: http://prometheus:9090
                      bearer_token: tok-do-not-leak
                      headers: { X-Scope-OrgID: tenant-do-not-leak }
                      basic_auth: { username: runner, password: pw-do-not-leak }
            """).ResolveTargets("dev")[0];

        var json = JsonSerializer.Serialize(EffectiveConfig.Describe(target));

        Assert.DoesNotContain("do-not-leak", json, StringComparison.Ordinal);
        Assert.Contains("http://prometheus:9090", json, StringComparison.Ordinal);
        Assert.Contains(Secret.Mask, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_server_metrics_setting_is_reported_with_its_key_and_line()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Load("""
                    server_metrics:
                      url: http://a/metrics
                      prometheus: http://b:9090
                      selector: 'model_name="m"'
                      refresh: 1s
            """, """
              server_metrics: sometimes
            """));

        var messages = ex.Errors.Select(e => $"{e.Key}@{e.Line}: {e.Message}").ToList();
        Assert.Contains(messages, m => m.Contains("server_metrics.selector@", StringComparison.Ordinal) && m.Contains("must be a PromQL label selector", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("server_metrics.refresh@11: unknown key", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("give url (a /metrics) or prometheus (a query API), not both", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("server_metrics@", StringComparison.Ordinal) && m.Contains("got 'sometimes'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{model_name=\"m\"}", true)]
    [InlineData("{namespace=\"llm\", pod=~\"m-.*\",}", true)]
    [InlineData("{}", true)]
    [InlineData("{__name__=\"vllm:x\"}", false)]
    [InlineData("model_name=\"m\"", false)]
    [InlineData("{model_name=m}", false)]
    [InlineData("{a=\"1\"} or vector(1)", false)]
    public void A_selector_is_a_label_selector_and_nothing_more(string selector, bool valid) =>
        Assert.Equal(valid, ServerMetricsFormat.IsSelector(selector));
}
