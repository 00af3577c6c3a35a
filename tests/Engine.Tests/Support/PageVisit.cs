using System.Text.Json;

namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>What <see cref="HeadlessChromium"/> saw on a page: complaints, requests it made, its charts and text, a screenshot.</summary>
public sealed record PageVisit(string Url, IReadOnlyList<string> Errors, IReadOnlyList<string> Requests, JsonElement Probe, byte[] Screenshot)
{
    public IReadOnlyList<JsonElement> Charts => [.. Probe.GetProperty("charts").EnumerateArray()];

    public IReadOnlyList<string> ChartKinds => [.. Charts.Select(c => c.GetProperty("kind").GetString()!)];

    public IReadOnlyList<string> Tables => [.. Probe.GetProperty("tables").EnumerateArray().Select(t => t.GetString()!)];

    public string Text => Probe.GetProperty("text").GetString()!;
}
