using System.Text;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>Writes HTML into a buffer; everything given as text is escaped.</summary>
internal sealed class HtmlWriter
{
    private readonly StringBuilder _html = new(64 * 1024);

    public HtmlWriter Raw(string html)
    {
        _html.Append(html);
        return this;
    }

    /// <summary>Appends what <paramref name="other"/> wrote, without making one string of it first.</summary>
    public HtmlWriter Raw(HtmlWriter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _html.Append(other._html);
        return this;
    }

    public HtmlWriter Text(string? text)
    {
        _html.Append(Escape(text));
        return this;
    }

    /// <summary>
    /// <paramref name="text"/> safe in HTML text and quoted attributes: only <c>&amp; &lt; &gt; " '</c> are replaced, so
    /// the page (UTF-8) keeps its “×”, “–” and “µ” readable in its source and searchable.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    /// <summary><c>&lt;tag attributes&gt;text&lt;/tag&gt;</c>; <paramref name="attributes"/> is written as given (callers pass constants).</summary>
    public HtmlWriter Element(string tag, string? text, string? attributes = null)
    {
        Open(tag, attributes);
        Text(text);
        return Close(tag);
    }

    public HtmlWriter Open(string tag, string? attributes = null)
    {
        _html.Append('<').Append(tag);
        if (!string.IsNullOrEmpty(attributes))
        {
            _html.Append(' ').Append(attributes);
        }

        _html.Append('>');
        return this;
    }

    public HtmlWriter Close(string tag)
    {
        _html.Append("</").Append(tag).Append('>').Append('\n');
        return this;
    }

    /// <summary>A table: a header row, then rows of cells; a cell may carry a class (<c>good</c>, <c>bad</c>, <c>num</c>).</summary>
    public HtmlWriter Table(IEnumerable<string> headers, IEnumerable<IEnumerable<Cell>> rows, string? caption = null, string? attributes = null)
    {
        Open("div", "class=\"scroll\"").Open("table", attributes);
        if (caption is not null)
        {
            Element("caption", caption);
        }

        Open("thead").Open("tr");
        foreach (var header in headers)
        {
            Element("th", header, "scope=\"col\"");
        }

        Close("tr").Close("thead").Open("tbody");
        foreach (var row in rows)
        {
            Open("tr");
            var first = true;
            foreach (var cell in row)
            {
                var tag = first ? "th" : "td";
                var attrs = first ? "scope=\"row\"" : null;
                if (cell.Class is { } css)
                {
                    attrs = (attrs is null ? string.Empty : attrs + " ") + $"class=\"{css}\"";
                }

                Element(tag, cell.Text, attrs);
                first = false;
            }

            Close("tr");
        }

        return Close("tbody").Close("table").Close("div");
    }

    /// <summary>Name–value pairs as a definition list.</summary>
    public HtmlWriter Pairs(IEnumerable<(string Name, string Value)> pairs, string? attributes = null)
    {
        Open("dl", attributes);
        foreach (var (name, value) in pairs)
        {
            Element("dt", name).Element("dd", value);
        }

        return Close("dl");
    }

    public override string ToString() => _html.ToString();
}
