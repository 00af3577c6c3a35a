using System.Text.Json;
using System.Text.Json.Nodes;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// A run report's results as the control APIs answer them (<c>GET /api/targets/{name}/results</c> on <c>serve</c>, and the
/// Function App's results function): the Go runner's result fields, so its clients keep working, then the run's id,
/// status, times, and each stage's <c>profile</c> and <c>summary</c> as the report holds them.
/// </summary>
public static class ReportResults
{
    /// <summary>The results object of <paramref name="report"/>.</summary>
    public static JsonObject From(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var summaries = report.Benchmarks.Select(b => b.Summary).ToList();
        var last = summaries.LastOrDefault();
        var full = JsonSerializer.SerializeToNode(report, ReportJsonContext.Default.RunReport)!.AsObject();
        var stages = new JsonArray();
        foreach (var stage in full["benchmarks"]?.AsArray() ?? [])
        {
            stages.Add(new JsonObject { ["profile"] = stage!["profile"]?.DeepClone(), ["summary"] = stage["summary"]?.DeepClone() });
        }

        return new JsonObject
        {
            // The Go runner's ParsedResults, whose fields it wrote without JSON names: totals over the stages, the last stage's rates.
            ["TotalRequests"] = summaries.Sum(s => s.Requests.Total),
            ["SuccessfulRequests"] = summaries.Sum(s => s.Requests.Successful),
            ["FailedRequests"] = summaries.Sum(s => s.Requests.Failed),
            ["PromptTokens"] = summaries.Sum(s => s.Tokens.Prompt),
            ["OutputTokens"] = summaries.Sum(s => s.Tokens.Output),
            ["OutputTokensPerSec"] = last?.Throughput.OutputTokensPerSecond ?? 0,
            ["RequestsPerSec"] = last?.Throughput.RequestsPerSecond ?? 0,
            ["run_id"] = report.RunId,
            ["environment"] = report.Environment,
            ["model"] = report.Model,
            ["status"] = ReportNames.Of(report.Status),
            ["status_reason"] = report.StatusReason,
            ["started_at"] = report.StartedAt,
            ["ended_at"] = report.EndedAt,
            ["benchmarks"] = stages,
        };
    }
}
