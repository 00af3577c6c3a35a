namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>A table cell's text, with an optional class.</summary>
internal readonly record struct Cell(string Text, string? Class = null)
{
    public static implicit operator Cell(string text) => new(text);

    public static Cell Num(string text) => new(text, "num");
}
