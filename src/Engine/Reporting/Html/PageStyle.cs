namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>The page's stylesheet (inline: the page loads nothing).</summary>
internal static class PageStyle
{
    public const string Css = """
        :root{--fg:#1f2328;--muted:#5a6270;--line:#d8dde3;--good:#00795a;--bad:#b3261e;--warn:#8a5a00}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1600px;padding:12px 24px 40px}
        h1{font-size:22px;margin:10px 0 2px}
        h1 small{font-weight:400;color:var(--muted);font-size:15px}
        h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:30px 0 10px}
        h3{font-size:15px;margin:18px 0 6px}
        nav{font-size:13px;margin:6px 0 14px;color:var(--muted)}
        nav a{margin-right:14px;color:#0a58ca;text-decoration:none}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:10px 0}
        dl.facts dt{color:var(--muted)}
        dl.facts dd{margin:0;overflow-wrap:anywhere}
        .badge{display:inline-block;padding:0 9px;border-radius:10px;font-weight:600;font-size:12px;line-height:20px;color:#fff;background:var(--muted)}
        .badge.good{background:var(--good)}
        .badge.bad{background:var(--bad)}
        .badge.warn{background:var(--warn)}
        .notice{background:#fff7e0;border-left:4px solid #d4a000;padding:8px 12px;margin:8px 0;max-width:1100px}
        .notice.bad{background:#fdecea;border-color:var(--bad)}
        .scroll{overflow-x:auto;max-width:100%}
        table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}
        caption{text-align:left;color:var(--muted);padding:2px 0 4px;caption-side:top}
        th,td{padding:3px 9px;border-bottom:1px solid #edf0f2;text-align:left;vertical-align:top;white-space:nowrap}
        thead th{border-bottom:2px solid var(--line);font-weight:600}
        tbody th{font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        td.good{color:var(--good);font-weight:600}
        td.bad{color:var(--bad);font-weight:600}
        td.wrap{white-space:normal;min-width:320px;max-width:760px;overflow-wrap:anywhere}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}
        figure.chart{margin:0;border:1px solid #e6e9ed;border-radius:6px;padding:6px 8px 8px;background:#fff;break-inside:avoid}
        svg.plot{width:100%;height:auto;display:block}
        svg.plot text{font-family:Arial,Helvetica,"Liberation Sans","Nimbus Sans","DejaVu Sans",sans-serif}
        figcaption{color:var(--muted);font-size:12px;margin-top:2px}
        details{margin:8px 0}
        summary{cursor:pointer;color:var(--muted)}
        footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
        @media print{nav{display:none}.charts{display:block}figure.chart{margin-bottom:10px}}
        """;
}
