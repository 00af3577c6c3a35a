using OxyPlot;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// Measures chart text for OxyPlot's layout with its PDF context (Helvetica's metrics, no font files needed), scaled to
/// what a browser draws: the PDF context measures in points where SVG draws pixels (4/3), and browsers without Arial
/// or Helvetica draw sans-serif wider (DejaVu Sans by about an eighth). Measured in Chromium with DejaVu Sans: 1.50
/// times the PDF width. Text measured too narrow is clipped at legends and at the plot's edges.
/// </summary>
internal sealed class TextMeasurer(double width, double height) : PdfRenderContext(width, height, OxyColors.Undefined)
{
    private const double Wider = 1.5;
    private const double Taller = 1.25;

    public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
    {
        var size = base.MeasureText(text, fontFamily, fontSize, fontWeight);
        return new OxySize(size.Width * Wider, size.Height * Taller);
    }
}
