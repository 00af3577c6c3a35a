using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> Env = new() { ["API_KEY"] = "sk-test-secret-value" };

    private static ConfigLoader Loader(Dictionary<string, string>? env = null) => new(name => (env ?? Env).GetValueOrDefault(name));

    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "Configuration", "Samples", name);

    [Fact]
    public void Loads_the_go_runner_config_unchanged()
    {
        var config = Loader().LoadFile(Sample("go-runner-config.yaml"));

        Assert.Equal(["develop", "staging"], config.Environments.Select(e => e.Name));
        Assert.Equal(9090, config.PrometheusPort);
        Assert.Empty(config.Warnings);
        Assert.False(config.Discovery!.Enabled);
        var router = Assert.Single(config.Discovery.Environments);
        Assert.Equal(("develop", "http://api-router.develop.svc.cluster.local:8080/v1/chat/completions"), (router.Name, router.TargetUrl.ToString()));
        Assert.Null(router.ApiKey);

        var staging = config.ResolveTargets("staging");
        var llama = staging.Single(t => t.Target.Name == "llama-7b");
        Assert.Equal(5, llama.Settings.Rate);
        Assert.Equal(ProfileKind.Constant, llama.Settings.Profile);
        Assert.Equal(TimeSpan.FromSeconds(30), llama.Settings.MaxDuration);
        Assert.Equal(100, llama.Settings.MaxTokens);
        Assert.Equal(256, llama.Settings.Data.PromptTokens.Mean);
        Assert.Equal("gpt2", llama.Settings.Data.Tokenizer);
        Assert.Equal(TimeSpan.FromSeconds(60), llama.Settings.Interval);

        var mistral = staging.Single(t => t.Target.Name == "mistral-7b");
        Assert.Equal(0.5, mistral.Settings.Rate);
        Assert.Equal(TimeSpan.FromSeconds(20), mistral.Settings.MaxDuration);
        Assert.Equal(50, mistral.Settings.MaxTokens);
        Assert.Equal(100, mistral.Settings.Data.PromptTokens.Mean);
        Assert.Equal(50, mistral.Settings.Data.OutputTokens.Mean);
        Assert.Equal("vLLM on an Ada GPU", mistral.Target.Notes);
        Assert.Equal("https://api.staging.example.com/v1/chat/completions", mistral.Endpoint.ToString());
    }

    [Fact]
    public void Loads_the_seed_environment_file_and_substitutes_the_key()
    {
        var config = Loader().LoadFile(Sample("config-development.yaml"));

        var target = Assert.Single(config.ResolveTargets("development"));
        Assert.Equal("mistralai/Mistral-7B-Instruct-v0.3", target.Target.Model);
        Assert.Equal("sk-test-secret-value", target.Target.ApiKey!.Reveal());
        Assert.Equal("***", target.Target.ApiKey.ToString());
        Assert.Equal(new Uri("http://mistral-7b-predictor.development.svc.cluster.local:8012/v1/chat/completions"), target.Endpoint);
    }

    [Fact]
    public void A_missing_variable_is_an_error_naming_it_and_its_line()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Loader([]).LoadFile(Sample("config-development.yaml")));

        var error = Assert.Single(ex.Errors);
        Assert.Contains("'API_KEY'", error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.Line);
        Assert.Equal("environments.development.targets[0].api_key", error.Key);
        Assert.EndsWith("config-development.yaml", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_with_a_default_uses_it_when_unset()
    {
        var config = Loader([]).LoadText(
            """
            environments:
              dev:
                targets:
                  - name: a
                    url: ${BASE_URL:-http://localhost:8000}
                    model: m
            """, "inline.yaml");

        Assert.Equal(new Uri("http://localhost:8000/v1/chat/completions"), config.ResolveTargets("dev")[0].Endpoint);
    }

    [Fact]
    public void Reports_every_problem_at_once_with_line_and_key()
    {
        const string yaml = """
            environments:
              dev:
                targets:
                  - name: a
                    url: not a url
                    model: m
                    rate: -1
                  - name: b
                    url: http://x:1
                    profile: warp
                  - name: a
                    url: http://y:1
                    model: m
                    max_sekonds: 3
            defaults:
              data_spec: "prompt_tokens=abc"
            """;

        var ex = Assert.Throws<ConfigValidationException>(() => Loader().LoadText(yaml, "bad.yaml"));

        var byKey = ex.Errors.ToDictionary(e => e.Key, e => e);
        Assert.Equal(5, byKey["environments.dev.targets[0].url"].Line);
        Assert.Contains("absolute http", byKey["environments.dev.targets[0].url"].Message, StringComparison.Ordinal);
        Assert.Equal(7, byKey["environments.dev.targets[0].rate"].Line);
        Assert.Contains("unknown profile 'warp'", byKey["environments.dev.targets[1].profile"].Message, StringComparison.Ordinal);
        Assert.Contains("missing", byKey["environments.dev.targets[1].model"].Message, StringComparison.Ordinal);
        Assert.Contains("duplicate target name 'a'", byKey["environments.dev.targets[2].name"].Message, StringComparison.Ordinal);
        Assert.Equal(14, byKey["environments.dev.targets[2].max_sekonds"].Line);
        Assert.Contains("prompt_tokens must be a whole number", byKey["defaults.data_spec"].Message, StringComparison.Ordinal);
        Assert.Equal(7, ex.Errors.Count);
        Assert.All(ex.Errors, e => Assert.Equal("bad.yaml", e.File));
        Assert.Contains("bad.yaml:7:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_client_and_kernel_timestamps_have_defaults_and_can_be_set_per_target()
    {
        const string yaml = """
            environments:
              dev:
                targets:
                  - name: a
                    url: http://a:8000
                    model: m
                  - name: b
                    url: http://b:8000
                    model: m
                    http_client: HttpClient
                    kernel_timestamps: false
                  - name: c
                    url: http://c:8000
                    model: m
                    httpClient: curl
                    kernelTimestamps: sometimes
            defaults:
              max_seconds: 10
            """;

        var ex = Assert.Throws<ConfigValidationException>(() => Loader().LoadText(yaml, "clients.yaml"));
        Assert.Equal(["environments.dev.targets[2].httpClient", "environments.dev.targets[2].kernelTimestamps"], ex.Errors.Select(e => e.Key));
        Assert.Contains("unknown http_client 'curl' (expected auto or httpclient)", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("must be true or false, got 'sometimes'", ex.Errors[1].Message, StringComparison.Ordinal);

        var valid = yaml.Replace("httpClient: curl", "httpClient: auto", StringComparison.Ordinal).Replace("sometimes", "on", StringComparison.Ordinal);
        var targets = Loader().LoadText(valid, "clients.yaml").ResolveTargets("dev");
        Assert.Equal([HttpClientKind.Runner, HttpClientKind.HttpClient, HttpClientKind.Runner], targets.Select(t => t.Settings.HttpClient));
        Assert.Equal([true, false, true], targets.Select(t => t.Settings.KernelTimestamps));
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Loader().LoadText("environments:\n  dev: [unclosed\n", "broken.yaml"));

        Assert.Contains("not valid YAML", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.True(ex.Errors[0].Line >= 2);
    }

    [Fact]
    public void Accepts_camel_case_keys_as_in_the_helm_values()
    {
        var config = Loader().LoadText(
            """
            defaults:
              maxSeconds: 60
              maxTokens: 100
              dataSpec: "prompt_tokens=256,output_tokens=128"
            environments:
              development:
                targets:
                  - name: m
                    url: https://api.dev.example.com
                    model: unsloth/gpt-oss-20b
                    maxSeconds: 45
                    requestType: text_completions
            """, "helm.yaml");

        var t = config.ResolveTargets("development")[0];
        Assert.Equal(TimeSpan.FromSeconds(45), t.Settings.MaxDuration);
        Assert.Equal(new Uri("https://api.dev.example.com/v1/completions"), t.Endpoint);
    }

    [Fact]
    public void Unknown_environment_and_target_are_reported_with_the_known_names()
    {
        var config = Loader().LoadFile(Sample("go-runner-config.yaml"));

        var env = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("prod"));
        Assert.Contains("unknown environment 'prod' (known: develop, staging)", env.Message, StringComparison.Ordinal);

        var target = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("staging", ["nope", "llama-7b"]));
        Assert.Contains("unknown target 'nope' (known: llama-7b, mistral-7b)", Assert.Single(target.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_apply_last_and_are_validated()
    {
        var config = Loader().LoadFile(Sample("go-runner-config.yaml"));
        var overrides = ConfigLoader.ParseSetting("max_requests", "10", out var error);
        Assert.Null(error);

        var t = config.ResolveTargets("staging", ["llama-7b"], overrides)[0];
        Assert.Equal(10, t.Settings.MaxRequests);
        Assert.Equal(5, t.Settings.Rate);

        Assert.Null(ConfigLoader.ParseSetting("rate", "fast", out error));
        Assert.Contains("must be a number > 0, got 'fast'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_burst_without_any_bound_is_refused()
    {
        var config = Loader().LoadText(
            """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://h:1", model: m, max_seconds: 0 }
            """, "x.yaml");

        var ex = Assert.Throws<ConfigValidationException>(() => config.ResolveTargets("dev"));
        Assert.Contains("a burst must be bounded", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://h:8000", RequestType.ChatCompletions, "http://h:8000/v1/chat/completions")]
    [InlineData("http://h:8000/", RequestType.TextCompletions, "http://h:8000/v1/completions")]
    [InlineData("http://h:8000/v1", RequestType.ChatCompletions, "http://h:8000/v1/chat/completions")]
    [InlineData("http://h:8000/v1/chat/completions", RequestType.TextCompletions, "http://h:8000/v1/completions")]
    [InlineData("https://x.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-06-01", RequestType.ChatCompletions, "https://x.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-06-01")]
    public void Resolves_the_endpoint_from_any_url_form(string url, RequestType type, string expected)
    {
        var target = new TargetConfig { Name = "t", Url = new Uri(url), Model = "m" };

        Assert.Equal(expected, target.ResolveEndpoint(type).ToString());
    }

    [Fact]
    public void Data_spec_parses_distributions_and_rejects_unknown_keys()
    {
        var errors = new List<string>();
        var spec = DataSpec.Parse("prompt_tokens=512,prompt_tokens_stdev=64,prompt_tokens_min=256,prompt_tokens_max=768,output_tokens=64", errors);
        Assert.Empty(errors);
        Assert.Equal(new TokenDistribution(512, 64, 256, 768), spec!.PromptTokens);

        var random = new Random(1);
        var samples = Enumerable.Range(0, 2000).Select(_ => spec.PromptTokens.Sample(random)).ToList();
        Assert.All(samples, s => Assert.InRange(s, 256, 768));
        Assert.InRange(samples.Average(), 500, 524);

        Assert.Null(DataSpec.Parse("prompt_tokens=1,colour=blue", errors));
        Assert.Contains(errors, e => e.Contains("unknown data_spec key 'colour'", StringComparison.Ordinal));
    }

    [Fact]
    public void Reads_remote_write_receivers_with_secrets_from_the_environment()
    {
        var env = new Dictionary<string, string> { ["RW_PASSWORD"] = "rw-pass-1234", ["RW_TOKEN"] = "rw-token-5678" };
        var config = Loader(env).LoadText(
            """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://127.0.0.1:1", model: m }
            remote_write:
              - url: http://mimir:9009/api/v1/push
                push_interval: 5s
                headers: { X-Scope-OrgID: team-a }
                basic_auth: { username: runner, password: "${RW_PASSWORD}" }
                external_labels: { cluster: dev-1 }
                send_stale_markers: false
                timeout: 10s
              - url: https://thanos/api/v1/receive
                bearer_token: ${RW_TOKEN}
            """, "rw.yaml");

        Assert.Equal(2, config.RemoteWrite.Count);
        var mimir = config.RemoteWrite[0];
        Assert.Equal(TimeSpan.FromSeconds(5), mimir.PushInterval);
        Assert.Equal("team-a", mimir.Headers["X-Scope-OrgID"].Reveal());
        Assert.Equal("runner", mimir.BasicAuthUsername);
        Assert.Equal("rw-pass-1234", mimir.BasicAuthPassword!.Reveal());
        Assert.Equal("dev-1", mimir.ExternalLabels["cluster"]);
        Assert.False(mimir.SendStaleMarkers);
        Assert.Equal(TimeSpan.FromSeconds(10), mimir.Timeout);
        Assert.Equal("rw-token-5678", config.RemoteWrite[1].BearerToken!.Reveal());
        Assert.True(config.RemoteWrite[1].SendStaleMarkers);
        Assert.Equal(TimeSpan.FromSeconds(15), config.RemoteWrite[1].PushInterval);
        Assert.DoesNotContain("rw-pass-1234", mimir.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_remote_write_entries_are_all_reported()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Loader().LoadText(
            """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://127.0.0.1:1", model: m }
            remote_write:
              - push_interval: 0s
                external_labels: { "1x": a, target: b }
              - url: mimir
                colour: blue
            """, "rw.yaml"));

        var keys = ex.Errors.Select(e => e.Key).ToList();
        Assert.Contains("remote_write[0].push_interval", keys);
        Assert.Contains("remote_write[0].external_labels.1x", keys);
        Assert.Contains("remote_write[0].external_labels.target", keys);
        Assert.Contains("remote_write[0].url", keys);
        Assert.Contains("remote_write[1].url", keys);
        Assert.Contains("remote_write[1].colour", keys);
    }

    [Fact]
    public void Reads_the_archive_section_and_checks_the_container_name()
    {
        var env = new Dictionary<string, string> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };
        var config = Loader(env).LoadText(
            """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://127.0.0.1:1", model: m }
            archive:
              connection: ${AzureWebJobsStorage}
              container: guidellm-reports
            """, "a.yaml");

        Assert.Equal("UseDevelopmentStorage=true", config.Archive!.Connection!.Reveal());
        Assert.Equal("guidellm-reports", config.Archive.Container);

        var ex = Assert.Throws<ConfigValidationException>(() => Loader(env).LoadText(
            """
            environments:
              dev:
                targets:
                  - { name: a, url: "http://127.0.0.1:1", model: m }
            archive:
              container: Bad_Name
            """, "a.yaml"));
        Assert.Contains(ex.Errors, e => e.Key == "archive.container" && e.Message.Contains("Azure container name", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Key == "archive" && e.Message.Contains("account_url", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duration_too_long_for_a_timespan_is_an_error_not_a_crash()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Loader().LoadText("""
            environments:
              dev:
                targets: [{ name: a, url: "http://127.0.0.1:1/v1", model: m, max_seconds: 7.093E+33 }]
            """, "a.yaml"));

        Assert.Contains(ex.Errors, e => e.Key.EndsWith(".max_seconds", StringComparison.Ordinal));
    }
}
