namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Rates over the measured window.</summary>
/// <param name="RequestsPerSecond">Successful requests per second.</param>
/// <param name="OutputTokensPerSecond">Output tokens of successful requests per second.</param>
/// <param name="TotalTokensPerSecond">Prompt plus output tokens per second.</param>
public sealed record ThroughputSummary(double RequestsPerSecond, double OutputTokensPerSecond, double TotalTokensPerSecond);
