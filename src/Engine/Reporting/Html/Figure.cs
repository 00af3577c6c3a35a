namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>A chart of the page: inline SVG with its text alternative.</summary>
/// <param name="Kind">What it shows, stable for scripts and tests (<c>distribution-ttftMs</c>, <c>timeline-inflight</c>, ...): <c>data-chart</c>.</param>
/// <param name="Title">Its title (the SVG's <c>title</c>).</param>
/// <param name="Description">Its text alternative (the SVG's <c>desc</c>): the figures it shows, in words.</param>
/// <param name="Svg">The SVG element.</param>
/// <param name="Caption">A line under it: how to read it.</param>
internal sealed record Figure(string Kind, string Title, string Description, string Svg, string? Caption);
