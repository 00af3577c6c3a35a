namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>One run of a day index: a report in the folder, and whether its page is beside it.</summary>
internal sealed record RunListing(string RunId, string? Status, DateTimeOffset? StartedAt, string? Model, bool HasPage, bool HasRequests);
