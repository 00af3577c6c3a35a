using System.Globalization;
using System.Text;
using CsCheck;
using GuidellmFunctions.Engine.ServerMetrics.Exposition;
using GuidellmFunctions.Engine.Tests.ServerMetrics.Exposition;

namespace GuidellmFunctions.Engine.Tests.Reliability;

/// <summary>
/// The exposition parser against any text a server can send: it never throws, stays within its limits, reads back
/// every sample a valid document holds whatever the spacing, escapes and extras, and keeps every valid line of a
/// document with garbage or a cut in it.
/// </summary>
public sealed class ExpositionFuzzTests
{
    private static readonly Gen<string> MetricName = Gen.Select(Gen.Char["abcxyz_:"], Gen.String[Gen.Char["abcxyz019_:"], 0, 12]).Select((c, rest) => c + rest);
    private static readonly Gen<string> LabelName = Gen.Select(Gen.Char["abcxyz_"], Gen.String[Gen.Char["abcxyz019_"], 0, 8]).Select((c, rest) => c + rest);
    private static readonly Gen<string> LabelValue = Gen.String[Gen.Char["ab \\\"\n{},=#é日🙂"], 0, 12];

    private static readonly Gen<double> Value = Gen.OneOf(
        Gen.Double[-1e12, 1e12], Gen.Double, Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity), Gen.Const(double.NaN), Gen.Int.Select(i => (double)i))
        .Where(d => !double.IsFinite(d) || Math.Abs(d) < 1e300);

    private static readonly Gen<(string Name, KeyValuePair<string, string>[] Labels, double Value)> Sample =
        Gen.Select(MetricName, Gen.Select(LabelName, LabelValue).Select((k, v) => new KeyValuePair<string, string>(k, v)).Array[0, 5], Value)
            .Select((name, labels, value) => (name, labels.DistinctBy(l => l.Key).ToArray(), value));

    [Fact]
    public void Any_text_is_parsed_without_an_exception_within_its_limits()
    {
        var limits = new ExpositionLimits(MaxLineChars: 200, MaxSamples: 50, MaxLabels: 4, MaxProblems: 3);
        Gen.String[Gen.Char["ab_:{}\"=,\\\n\r\t #+-.e019IiNnfE"], 0, 600].Sample(text =>
        {
            var document = ExpositionParser.Parse(text, limits: limits);

            Assert.True(document.Samples.Count <= limits.MaxSamples);
            Assert.True(document.Problems.Count <= Math.Min(limits.MaxProblems, document.BadLines));
            Assert.True(document.SampleLines + document.BadLines <= text.Split('\n').Length);
            Assert.All(document.Samples, s => Assert.True(s.Labels.Count <= limits.MaxLabels));
        }, iter: 3000);
    }

    [Fact]
    public void Any_bytes_decoded_as_a_server_body_are_parsed_without_an_exception()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var document = ExpositionParser.Parse(Encoding.UTF8.GetString(bytes));

            Assert.True(document.Samples.Count <= document.SampleLines);
        }, iter: 2000);
    }

    [Fact]
    public void Every_sample_of_a_valid_document_reads_back_whatever_its_spacing_and_extras()
    {
        Gen.Select(Sample.Array[1, 8], Gen.Int[0, 63]).Sample((samples, style) =>
        {
            var text = Render(samples, style);

            var document = ExpositionParser.Parse(text);

            Assert.True(document.BadLines == 0, $"{document.Problems.FirstOrDefault()} in:\n{text}");
            Assert.Equal(samples.Length, document.Samples.Count);
            for (var i = 0; i < samples.Length; i++)
            {
                Assert.Equal(samples[i].Name, document.Samples[i].Name);
                Assert.Equal(samples[i].Labels, document.Samples[i].Labels);
                Assert.True(samples[i].Value.Equals(document.Samples[i].Value), $"{samples[i].Value} read as {document.Samples[i].Value}");
            }
        }, iter: 2000);
    }

    [Fact]
    public void Garbage_lines_and_a_cut_spare_every_other_line()
    {
        var fixture = ExpositionParserTests.Fixture("vllm-0.11.after.txt").Split('\n');
        var garbage = Gen.String[Gen.Char["ab{}\"=, \\#-.019"], 1, 40];
        Gen.Select(garbage.Array[1, 5], Gen.Int[0, fixture.Length].Array[5], Gen.Int[0, 3000]).Sample((junk, at, cut) =>
        {
            var lines = fixture.ToList();
            for (var i = 0; i < junk.Length; i++)
            {
                lines.Insert(Math.Min(at[i], lines.Count), junk[i].Replace('\n', ' '));
            }

            var text = string.Join('\n', lines);
            text = text[..Math.Max(0, text.Length - cut)];
            var expected = ExpositionParser.Parse(string.Join('\n', fixture)).Samples;

            var document = ExpositionParser.Parse(text);

            // Every fixture line before the cut's line reads back, in order, among whatever the junk made.
            var whole = text[..(text.LastIndexOf('\n') + 1)];
            var kept = ExpositionParser.Parse(whole).Samples;
            var j = 0;
            foreach (var sample in kept)
            {
                if (j < expected.Count && sample.Name == expected[j].Name && sample.Labels.SequenceEqual(expected[j].Labels) && sample.Value.Equals(expected[j].Value))
                {
                    j++;
                }
            }

            Assert.Equal(whole.Split('\n').Count(l => fixture.Contains(l) && l.Length > 0 && l[0] != '#'), j);
            Assert.True(document.Samples.Count >= kept.Count);
        }, iter: 300);
    }

    private static string Render((string Name, KeyValuePair<string, string>[] Labels, double Value)[] samples, int style)
    {
        var text = new StringBuilder();
        var newline = (style & 1) != 0 ? "\r\n" : "\n";
        text.Append("# HELP x some help").Append(newline).Append("# TYPE x counter").Append(newline);
        foreach (var (name, labels, value) in samples)
        {
            if ((style & 2) != 0)
            {
                text.Append("  ");
            }

            text.Append(name);
            if (labels.Length > 0 || (style & 4) != 0)
            {
                var sep = (style & 8) != 0 ? ", " : ",";
                text.Append('{').AppendJoin(sep, labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")).Append((style & 16) != 0 && labels.Length > 0 ? ",}" : "}");
            }

            text.Append((style & 32) != 0 ? '\t' : ' ').Append(Format(value));
            if ((style & 4) != 0)
            {
                text.Append(" 1764295200000 # {trace_id=\"0af7\"} 1.0 1764295200.5");
            }

            text.Append(newline);
        }

        return text.Append("# EOF").Append(newline).ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
}
