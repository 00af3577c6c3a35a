using GuidellmFunctions.Engine.ServerMetrics;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.Tests.ServerMetrics.Exposition;

/// <summary>The text exposition parser on what servers write (fixtures of vLLM, SGLang and TGI) and on the format's corners.</summary>
public sealed class ExpositionParserTests
{
    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ServerMetrics", "Fixtures", name));

    [Theory]
    [InlineData("vllm-0.11.after.txt", 475)]
    [InlineData("vllm-0.10.after.txt", 490)]
    [InlineData("vllm-0.6.after.txt", 390)]
    [InlineData("sglang.after.txt", 158)]
    [InlineData("tgi.after.txt", 165)]
    public void Every_line_of_a_servers_exposition_is_read(string file, int lines)
    {
        var text = Fixture(file);

        var document = ExpositionParser.Parse(text);

        Assert.Equal(lines, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, document.BadLines);
        Assert.Empty(document.Problems);
        Assert.False(document.Truncated);
        Assert.Equal(text.Split('\n').Count(l => l.Length > 0 && l[0] != '#'), document.SampleLines);
        Assert.Equal(document.SampleLines, document.Samples.Count);
    }

    [Fact]
    public void Labels_values_and_created_samples_come_out_as_written()
    {
        var document = ExpositionParser.Parse(Fixture("vllm-0.11.after.txt"), ServerMetricNames.IsServerName);

        var stop = Assert.Single(document.Samples, s => s.Name == "vllm:request_success_total" && s.Label("finished_reason") == "stop");
        Assert.Equal(17, stop.Value);
        Assert.Equal(["engine", "finished_reason", "model_name"], stop.Labels.Select(l => l.Key));
        Assert.Equal("meta-llama/Llama-3.1-8B-Instruct", stop.Label("model_name"));
        var created = Assert.Single(document.Samples, s => s.Name == "vllm:prompt_tokens_created");
        Assert.Equal(1.764295200123456e+09, created.Value);
        Assert.Equal(double.PositiveInfinity, ExpositionParser.TryParseValue(Assert.Single(document.Samples, s => s.Name == "vllm:time_to_first_token_seconds_bucket" && s.Label("le") == "+Inf").Label("le"), out var inf) ? inf : 0);
        Assert.DoesNotContain(document.Samples, s => s.Name.StartsWith("python_", StringComparison.Ordinal) || s.Name.StartsWith("http_", StringComparison.Ordinal));
    }

    [Fact]
    public void Escapes_quoted_names_timestamps_exemplars_and_eof_are_understood()
    {
        const string text = "# HELP a Doc with \\\\ and \\n.\n"
            + "a{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\",nl=\"two\\nlines\",odd=\"\\q\"} 1.5 1764295200000\n"
            + "  b_total{x=\"1\",} 2 # {trace_id=\"abc\"} 0.5 1764295200.5\n"
            + "{\"utf8.metric.name\", le=\"0.5\"} +Inf\n"
            + "c\t-Inf\r\n"
            + "d NaN\n"
            + "e 1e-3\n"
            + "# EOF\n"
            + "ignored 1\n";

        var document = ExpositionParser.Parse(text);

        Assert.Equal(0, document.BadLines);
        var a = document.Samples[0];
        Assert.Equal(("C:\\dir", "say \"hi\"", "two\nlines", "\\q"), (a.Label("path"), a.Label("quote"), a.Label("nl"), a.Label("odd")));
        Assert.Equal(1.5, a.Value);
        Assert.Equal(("b_total", 2.0, "1"), (document.Samples[1].Name, document.Samples[1].Value, document.Samples[1].Label("x")));
        Assert.Equal(("utf8.metric.name", double.PositiveInfinity, "0.5"), (document.Samples[2].Name, document.Samples[2].Value, document.Samples[2].Label("le")));
        Assert.Equal(double.NegativeInfinity, document.Samples[3].Value);
        Assert.True(double.IsNaN(document.Samples[4].Value));
        Assert.Equal(0.001, document.Samples[5].Value);
        Assert.Equal(6, document.Samples.Count);
    }

    [Theory]
    [InlineData("no_value", "no value")]
    [InlineData("x{a=\"1\" 1", "expected ',' or '}'")]
    [InlineData("x{a=\"1} 1", "unterminated")]
    [InlineData("x{a=1} 1", "expected a quoted value for label a")]
    [InlineData("x{a=\"1\",a=\"2\"} 1", "label a given twice")]
    [InlineData("x 1 2 3", "unexpected '2 3' after the value")]
    [InlineData("x one", "value 'one' is not a number")]
    [InlineData("x Infinity", "value 'Infinity' is not a number")]
    [InlineData("9x 1", "expected a metric name")]
    [InlineData("x-y 1", "unexpected '-' after the metric name")]
    [InlineData("{le=\"1\"} 1", "no metric name")]
    public void A_bad_line_is_skipped_with_its_line_number_and_why(string line, string why)
    {
        var document = ExpositionParser.Parse("good 1\n" + line + "\nalso_good 2\n");

        Assert.Equal(1, document.BadLines);
        Assert.Equal(["good", "also_good"], document.Samples.Select(s => s.Name));
        var problem = Assert.Single(document.Problems);
        Assert.StartsWith("line 2: ", problem, StringComparison.Ordinal);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_bound_what_a_parse_holds()
    {
        var limits = new ExpositionLimits(MaxLineChars: 100, MaxSamples: 3, MaxLabels: 2, MaxProblems: 1);
        var text = "a 1\nlong{x=\"" + new string('y', 200) + "\"} 1\nb{p=\"1\",q=\"2\",r=\"3\"} 1\nc 1\nd 1\ne 1\n";

        var document = ExpositionParser.Parse(text, limits: limits);

        Assert.Equal(["a", "c", "d"], document.Samples.Select(s => s.Name));
        Assert.True(document.Truncated);
        Assert.Equal(2, document.BadLines);
        Assert.Equal(["line 2: line longer than 100 characters"], document.Problems);
    }

    [Theory]
    [InlineData("<html><body>Not Found</body></html>\n")]
    [InlineData("{\"status\":\"ok\"}\n")]
    [InlineData("# only comments\n")]
    [InlineData("")]
    public void Text_that_is_not_an_exposition_is_told_apart(string text)
    {
        Assert.False(ExpositionParser.Parse(text).LooksLikeExposition);
    }
}
