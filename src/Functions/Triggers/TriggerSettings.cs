namespace GuidellmFunctions.Functions.Triggers;

/// <summary>The queue the on-demand trigger reads and the storage it lives in.</summary>
/// <param name="Queue">Queue name (<c>GUIDELLM_QUEUE</c>); poison messages go to <c>&lt;queue&gt;-poison</c>.</param>
/// <param name="Connection">Storage connection (<c>AzureWebJobsStorage</c>).</param>
public sealed record TriggerSettings(string Queue, string? Connection)
{
    /// <summary>The default queue name.</summary>
    public const string DefaultQueue = "guidellm-runs";
}
