using System.Globalization;
using System.Text.Json.Nodes;

namespace GuidellmFunctions.Engine.Configuration;

/// <summary>
/// A dataset the requests are taken from (<c>dataset:</c> in <c>defaults</c>, on a target, or in the top-level
/// <c>datasets:</c> list): a local file or a blob, read as a stream, never loaded whole. A spec with only a
/// <see cref="Name"/> refers to a named dataset of the config; <see cref="RunnerConfig.ResolveTargets"/> replaces it with
/// that dataset.
/// </summary>
public sealed record DatasetSpec
{
    /// <summary>Name a target, a flag or a queue message may pick the dataset by.</summary>
    public string? Name { get; init; }

    /// <summary>Local file (absolute; a relative path in a config file is taken from the config's folder).</summary>
    public string? Path { get; init; }

    /// <summary>Blob URL, read with the credentials of a config blob (its SAS, the storage connection, or managed identity).</summary>
    public Uri? Url { get; init; }

    /// <summary>How the file is written.</summary>
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;

    /// <summary>The order records are sent in.</summary>
    public DatasetOrder Order { get; init; } = DatasetOrder.Sequential;

    /// <summary>Records whose prompt has fewer tokens (cl100k_base) are skipped; null for no lower bound.</summary>
    public int? MinPromptTokens { get; init; }

    /// <summary>Records whose prompt has more tokens (cl100k_base) are skipped: prompts longer than the model takes; null for no bound.</summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>The CSV column holding the prompt.</summary>
    public string PromptColumn { get; init; } = "prompt";

    /// <summary>The CSV column holding the output length, when it has one.</summary>
    public string OutputTokensColumn { get; init; } = "output_tokens";

    /// <summary>Where <c>max_tokens</c> comes from.</summary>
    public DatasetOutputLengths OutputTokens { get; init; } = DatasetOutputLengths.Dataset;

    /// <summary>Factor applied to a trace's timestamps when replayed (0.5 replays twice as fast).</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Tokens per Mooncake <c>hash_ids</c> block (Mooncake's 512).</summary>
    public int BlockTokens { get; init; } = 512;

    /// <summary>True for a reference to a named dataset (no path or URL yet).</summary>
    public bool IsReference => Path is null && Url is null;

    /// <summary>True when the format carries arrival timestamps (a trace that <c>profile: replay</c> can follow).</summary>
    public bool HasTimestamps => Format is DatasetFormat.Mooncake or DatasetFormat.AzureTrace;

    /// <summary>Where it is read from, credentials masked, for messages and reports.</summary>
    public string Location => Path ?? (Url is { } url ? Reporting.EffectiveConfig.RedactUrl(url) : $"(the dataset named {Name})");

    /// <summary>The spec as the report's <c>config.dataset</c>: every key, the URL's credentials masked.</summary>
    public JsonObject ToReport()
    {
        var json = new JsonObject();
        if (Name is not null)
        {
            json["name"] = Name;
        }

        if (Path is not null)
        {
            json["path"] = Path;
        }

        if (Url is not null)
        {
            json["url"] = Reporting.EffectiveConfig.RedactUrl(Url);
        }

        json["format"] = DatasetNames.Formats.Format(Format);
        json["order"] = DatasetNames.Orders.Format(Order);
        json["minPromptTokens"] = MinPromptTokens;
        json["maxPromptTokens"] = MaxPromptTokens;
        json["outputTokens"] = DatasetNames.OutputLengths.Format(OutputTokens);
        if (Format is DatasetFormat.Csv or DatasetFormat.Auto)
        {
            json["promptColumn"] = PromptColumn;
            json["outputTokensColumn"] = OutputTokensColumn;
        }

        if (HasTimestamps || Format == DatasetFormat.Auto)
        {
            json["timeScale"] = TimeScale;
        }

        if (Format is DatasetFormat.Mooncake or DatasetFormat.Auto)
        {
            json["blockTokens"] = BlockTokens;
        }

        return json;
    }

    /// <summary>The spec in one line, as <c>validate</c> prints it.</summary>
    public override string ToString()
    {
        if (IsReference)
        {
            return Name ?? "none";
        }

        var parts = new List<string> { Location, DatasetNames.Formats.Format(Format), DatasetNames.Orders.Format(Order) };
        if (MaxPromptTokens is { } max)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"max_prompt_tokens={max}"));
        }

        if (MinPromptTokens is { } min)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"min_prompt_tokens={min}"));
        }

        return (Name is null ? string.Empty : Name + ": ") + string.Join(", ", parts);
    }
}
