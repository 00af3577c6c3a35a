using System.Globalization;
using System.Text;

namespace GuidellmFunctions.Engine.ServerMetrics.Exposition;

/// <summary>
/// Reads the Prometheus text exposition format (0.0.4, as vLLM's and SGLang's Python client, TGI's Rust exporter and
/// DCGM's Go exporter write it) and the parts of OpenMetrics text met in the wild (<c># EOF</c>, exemplars, timestamps,
/// <c>_created</c> samples, Prometheus 3's quoted names). Tolerant: a bad line is counted, described and skipped, never
/// thrown; bounded by <see cref="ExpositionLimits"/>. Only samples whose name <c>keep</c> accepts are held.
/// </summary>
internal static class ExpositionParser
{
    private const int InternedMax = 4096;

    /// <summary>Parses <paramref name="text"/>, keeping the samples whose name <paramref name="keep"/> accepts (all when null).</summary>
    public static ExpositionDocument Parse(string text, Func<string, bool>? keep = null, ExpositionLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= ExpositionLimits.Default;
        var state = new State(keep, limits);
        var rest = text.AsSpan();
        var lineNumber = 0;
        while (rest.Length > 0)
        {
            var newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            lineNumber++;
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.Length > limits.MaxLineChars)
            {
                state.Bad(lineNumber, $"line longer than {limits.MaxLineChars} characters");
                continue;
            }

            line = line.Trim(" \t");
            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (line.SequenceEqual("# EOF"))
                {
                    break;
                }

                continue;
            }

            if (!state.Line(line, lineNumber))
            {
                break;
            }
        }

        return new ExpositionDocument(state.Samples, state.SampleLines, state.BadLines, state.Problems, state.Truncated);
    }

    /// <summary>Parses a sample value as the format writes it: a float, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        if (text.Equals("+Inf", StringComparison.OrdinalIgnoreCase) || text.Equals("Inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.Equals("-Inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }

        if (text.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        // Digits, sign, point and exponent only: NumberStyles.Float alone would also take spaces, "Infinity" and "∞".
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not ('+' or '-' or '.' or 'e' or 'E'))
            {
                value = 0;
                return false;
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private sealed class State(Func<string, bool>? keep, ExpositionLimits limits)
    {
        private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
        private readonly List<KeyValuePair<string, string>> _labels = [];
        private readonly StringBuilder _unescaped = new();

        public List<ExpositionSample> Samples { get; } = [];

        public List<string> Problems { get; } = [];

        public int SampleLines { get; private set; }

        public int BadLines { get; private set; }

        public bool Truncated { get; private set; }

        public void Bad(int line, string why)
        {
            BadLines++;
            if (Problems.Count < limits.MaxProblems)
            {
                Problems.Add($"line {line}: {why}");
            }
        }

        /// <summary>Reads one sample line; false when the parse must stop (the sample limit).</summary>
        public bool Line(ReadOnlySpan<char> line, int number)
        {
            _labels.Clear();
            var i = 0;
            string? name = null;
            if (line[0] != '{')
            {
                var length = NameLength(line, metric: true);
                if (length == 0)
                {
                    Bad(number, "expected a metric name");
                    return true;
                }

                name = Intern(line[..length]);
                i = length;
            }

            var kept = false;
            if (i < line.Length && line[i] == '{')
            {
                if (!Labels(line, ref i, ref name, out var error))
                {
                    Bad(number, error);
                    return true;
                }
            }
            else if (i < line.Length && line[i] is not (' ' or '\t'))
            {
                Bad(number, $"unexpected '{line[i]}' after the metric name");
                return true;
            }

            if (name is null)
            {
                Bad(number, "no metric name in the braces");
                return true;
            }

            kept = keep is null || keep(name);
            var rest = line[i..].TrimStart(" \t");
            var end = rest.IndexOfAny(' ', '\t');
            var valueText = end < 0 ? rest : rest[..end];
            if (valueText.IsEmpty || !TryParseValue(valueText, out var value))
            {
                Bad(number, valueText.IsEmpty ? "no value" : $"value '{Shorten(valueText)}' is not a number");
                return true;
            }

            var tail = end < 0 ? [] : rest[end..].Trim(" \t");
            if (!tail.IsEmpty && tail[0] != '#')
            {
                // A timestamp (milliseconds, or OpenMetrics' seconds), then perhaps an exemplar.
                var stampEnd = tail.IndexOfAny(' ', '\t');
                var stamp = stampEnd < 0 ? tail : tail[..stampEnd];
                var after = stampEnd < 0 ? [] : tail[stampEnd..].TrimStart(" \t");
                if (!TryParseValue(stamp, out var ts) || !double.IsFinite(ts) || (!after.IsEmpty && after[0] != '#'))
                {
                    Bad(number, $"unexpected '{Shorten(tail)}' after the value");
                    return true;
                }
            }

            SampleLines++;
            if (!kept)
            {
                return true;
            }

            if (Samples.Count >= limits.MaxSamples)
            {
                Truncated = true;
                return false;
            }

            Samples.Add(new ExpositionSample(name, _labels.Count == 0 ? [] : [.. _labels], value));
            return true;
        }

        private bool Labels(ReadOnlySpan<char> line, ref int i, ref string? name, out string error)
        {
            i++;
            var first = true;
            while (true)
            {
                SkipSpaces(line, ref i);
                if (i >= line.Length)
                {
                    error = "unterminated label set";
                    return false;
                }

                if (line[i] == '}')
                {
                    i++;
                    error = string.Empty;
                    return true;
                }

                string key;
                if (line[i] == '"')
                {
                    if (!Quoted(line, ref i, out key, out error))
                    {
                        return false;
                    }

                    SkipSpaces(line, ref i);
                    if (first && name is null && i < line.Length && line[i] is ',' or '}')
                    {
                        // Prometheus 3's {"metric.name", label="value"}: a bare quoted string first is the name.
                        name = key;
                        first = false;
                        if (line[i] == ',')
                        {
                            i++;
                        }

                        continue;
                    }
                }
                else
                {
                    var length = NameLength(line[i..], metric: false);
                    if (length == 0)
                    {
                        error = $"expected a label name at column {i + 1}";
                        return false;
                    }

                    key = Intern(line.Slice(i, length));
                    i += length;
                    SkipSpaces(line, ref i);
                }

                first = false;
                if (i >= line.Length || line[i] != '=')
                {
                    error = $"expected '=' after label {Shorten(key)}";
                    return false;
                }

                i++;
                SkipSpaces(line, ref i);
                if (i >= line.Length || line[i] != '"')
                {
                    error = $"expected a quoted value for label {Shorten(key)}";
                    return false;
                }

                if (!Quoted(line, ref i, out var value, out error))
                {
                    return false;
                }

                foreach (var (existing, _) in _labels)
                {
                    if (string.Equals(existing, key, StringComparison.Ordinal))
                    {
                        error = $"label {Shorten(key)} given twice";
                        return false;
                    }
                }

                if (_labels.Count >= limits.MaxLabels)
                {
                    error = $"more than {limits.MaxLabels} labels";
                    return false;
                }

                _labels.Add(new(key, value));
                SkipSpaces(line, ref i);
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    error = "expected ',' or '}' after a label value";
                    return false;
                }
            }
        }

        /// <summary>A double-quoted string at <paramref name="i"/>, with <c>\\</c>, <c>\"</c> and <c>\n</c> unescaped.</summary>
        private bool Quoted(ReadOnlySpan<char> line, ref int i, out string value, out string error)
        {
            var start = ++i;
            var close = -1;
            var escaped = false;
            for (var j = start; j < line.Length; j++)
            {
                if (line[j] == '\\')
                {
                    escaped = true;
                    j++;
                }
                else if (line[j] == '"')
                {
                    close = j;
                    break;
                }
            }

            if (close < 0)
            {
                value = string.Empty;
                error = "unterminated quoted string";
                return false;
            }

            var raw = line[start..close];
            i = close + 1;
            error = string.Empty;
            if (!escaped)
            {
                value = Intern(raw);
                return true;
            }

            _unescaped.Clear();
            for (var j = 0; j < raw.Length; j++)
            {
                if (raw[j] != '\\' || j + 1 == raw.Length)
                {
                    _unescaped.Append(raw[j]);
                    continue;
                }

                var next = raw[++j];
                if (next == 'n')
                {
                    _unescaped.Append('\n');
                }
                else
                {
                    // \\ and \" lose their backslash; an unknown escape keeps it, as Prometheus' own parser reads it.
                    _unescaped.Append(next is '\\' or '"' ? string.Empty : "\\").Append(next);
                }
            }

            value = _unescaped.ToString();
            return true;
        }

        private string Intern(ReadOnlySpan<char> text)
        {
            var lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out var known))
            {
                return known;
            }

            var made = text.ToString();
            if (_interned.Count < InternedMax)
            {
                _interned[made] = made;
            }

            return made;
        }

        private static int NameLength(ReadOnlySpan<char> text, bool metric)
        {
            var n = 0;
            while (n < text.Length && (char.IsAsciiLetter(text[n]) || text[n] == '_' || (metric && text[n] == ':') || (n > 0 && char.IsAsciiDigit(text[n]))))
            {
                n++;
            }

            return n;
        }

        private static void SkipSpaces(ReadOnlySpan<char> line, ref int i)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }
        }

        private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
    }
}
