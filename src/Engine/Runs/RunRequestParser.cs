using System.Text.Json;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// Reads an on-demand queue message (<c>{"runId"?, "environment", "targets"?, "overrides"?, "requestedBy"?}</c>) and checks
/// it against the config. A message that can never succeed (bad JSON, unknown environment or target, invalid override, a
/// run beyond the config's <c>limits:</c>) gets a reason naming every problem, for the poison queue.
/// </summary>
public static class RunRequestParser
{
    /// <summary>
    /// Parses <paramref name="message"/>; <paramref name="fallbackRunId"/> (for example from the message id) is used when it
    /// carries none. Without a <paramref name="config"/> only the message itself is checked, not its environment and targets.
    /// </summary>
    /// <returns>The request, or null with <paramref name="reason"/> naming every problem.</returns>
    public static RunRequest? Parse(string message, RunnerConfig? config, string fallbackRunId, out string? reason)
    {
        var problems = new List<string>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(message ?? string.Empty);
        }
        catch (JsonException ex)
        {
            reason = $"message is not valid JSON: {ex.Message}";
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "message must be a JSON object with an \"environment\"";
                return null;
            }

            string? runId = null, environment = null, requestedBy = null;
            int? shards = null, shard = null;
            DateTimeOffset? startAt = null;
            var mergeCheck = false;
            TimeSpan? mergeGrace = null;
            var targets = new List<string>();
            var overrides = new BenchmarkSettingsPatch();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "runId":
                        runId = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        if (!RunIds.IsValid(runId))
                        {
                            problems.Add("runId must be 1-128 letters, digits, '-', '_' or '.'");
                        }

                        break;
                    case "environment":
                        environment = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        break;
                    case "targets":
                        if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
                        {
                            problems.Add("targets must be an array of target names");
                        }
                        else
                        {
                            targets.AddRange(property.Value.EnumerateArray().Select(t => t.GetString()!));
                        }

                        break;
                    case "overrides":
                        overrides = ReadOverrides(property.Value, problems);
                        break;
                    case "requestedBy":
                        requestedBy = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        break;
                    case "shards":
                        shards = ShardNumber(property.Value, "shards", Shards.ShardPlanner.MaxShards, problems);
                        break;
                    case "shard":
                        shard = ShardNumber(property.Value, "shard", Shards.ShardPlanner.MaxShards, problems);
                        break;
                    case "startAt":
                        if (property.Value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(property.Value.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                        {
                            startAt = at;
                        }
                        else
                        {
                            problems.Add("startAt must be an ISO 8601 date and time (2026-12-03T16:00:00Z)");
                        }

                        break;
                    case "mergeCheck":
                        mergeCheck = property.Value.ValueKind == JsonValueKind.True;
                        break;
                    case "mergeGrace":
                        if (property.Value.ValueKind == JsonValueKind.String && DurationParser.TryParse(property.Value.GetString(), out var grace) && grace > TimeSpan.Zero && grace <= ShardMessages.MaxGrace)
                        {
                            mergeGrace = grace;
                        }
                        else
                        {
                            problems.Add("mergeGrace must be a duration above 0 and at most 24h (\"30s\", \"5m\")");
                        }

                        break;
                    default:
                        problems.Add($"unknown field \"{property.Name}\" (expected runId, environment, targets, overrides, requestedBy, shards, shard, startAt, mergeCheck, mergeGrace)");
                        break;
                }
            }

            if (shard is not null && (shards is null || shard > shards))
            {
                problems.Add($"shard {shard} needs shards of at least {shard}");
            }

            if (mergeCheck && (shards is null || startAt is null || shard is not null))
            {
                problems.Add("mergeCheck needs shards and startAt, and no shard");
            }

            if (string.IsNullOrWhiteSpace(environment))
            {
                problems.Add("environment is required (a string)");
            }
            else if (problems.Count == 0 && config is not null)
            {
                try
                {
                    var resolved = config.ResolveTargets(environment, targets, overrides);
                    problems.AddRange(config.Limits.Exceeded(resolved));
                    if (shards is > 1)
                    {
                        problems.AddRange(resolved.Select(t => Shards.ShardPlanner.Refusal(t.Settings, shards.Value) is { } refusal ? $"{t.Environment}/{t.Target.Name}: {refusal}" : null).OfType<string>());
                    }
                }
                catch (ConfigValidationException ex)
                {
                    problems.AddRange(ex.Errors.Select(e => e.Message.Contains("unknown", StringComparison.Ordinal) ? e.Message : $"{e.Key}: {e.Message}"));
                }
            }

            reason = problems.Count > 0 ? string.Join("; ", problems) : null;
            return reason is null ? new RunRequest(runId ?? fallbackRunId, environment!, targets, overrides, requestedBy) { Shards = shards, Shard = shard, StartAt = startAt, MergeCheck = mergeCheck, MergeGrace = mergeGrace } : null;
        }
    }

    private static int? ShardNumber(JsonElement value, string name, int max, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 1 && number <= max)
        {
            return number;
        }

        problems.Add($"{name} must be a whole number from 1 to {max}, not {value.GetRawText()}");
        return null;
    }

    private static BenchmarkSettingsPatch ReadOverrides(JsonElement element, List<string> problems)
    {
        var patch = new BenchmarkSettingsPatch();
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add("overrides must be an object");
            return patch;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (SettingsTable.FindByOverrideKey(property.Name) is not { } setting)
            {
                problems.Add($"unknown override \"{property.Name}\" (known: {string.Join(", ", SettingsTable.In(SettingChannels.Queue).Select(s => s.OverrideKey))})");
                continue;
            }

            if (JsonYaml.ToNode(property.Value) is not { } value)
            {
                problems.Add($"override {property.Name} must be a string, a number, a boolean or an object");
                continue;
            }

            var single = ConfigLoader.ParseSetting(setting, value, out var error);
            if (single is null)
            {
                problems.Add($"override {property.Name}: {error}");
                continue;
            }

            patch = patch.Merge(single);
        }

        return patch;
    }

    /// <summary>
    /// Writes the message for a run; override keys may be given as in the message (<c>maxSeconds</c>) or as in the YAML
    /// (<c>max_seconds</c>, <c>max-seconds</c>), values as text (numbers and booleans are written as JSON numbers and booleans).
    /// </summary>
    public static string Compose(string? runId, string environment, IEnumerable<string> targets, IEnumerable<KeyValuePair<string, string>> overrides, string? requestedBy)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(overrides);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (runId is not null)
            {
                json.WriteString("runId", runId);
            }

            json.WriteString("environment", environment);
            var names = targets.ToList();
            if (names.Count > 0)
            {
                json.WriteStartArray("targets");
                names.ForEach(json.WriteStringValue);
                json.WriteEndArray();
            }

            var pairs = overrides.ToList();
            if (pairs.Count > 0)
            {
                json.WriteStartObject("overrides");
                foreach (var (key, value) in pairs)
                {
                    json.WritePropertyName(MessageKey(key));
                    if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                    {
                        json.WriteNumberValue(number);
                    }
                    else if (bool.TryParse(value, out var flag))
                    {
                        json.WriteBooleanValue(flag);
                    }
                    else
                    {
                        json.WriteStringValue(value);
                    }
                }

                json.WriteEndObject();
            }

            if (requestedBy is not null)
            {
                json.WriteString("requestedBy", requestedBy);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string MessageKey(string key) =>
        (SettingsTable.FindByOverrideKey(key) ?? SettingsTable.FindByKey(key))?.OverrideKey ?? key;
}
