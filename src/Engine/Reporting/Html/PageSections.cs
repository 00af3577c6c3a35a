using System.Globalization;
using System.Text.Json;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>The sections of the report page; each returns null when the report has nothing for it.</summary>
/// <remarks>
/// Longer than the project's 400 lines on purpose: one method per section, in the page's order, sharing the small table
/// and figure helpers at the bottom; split, the page's order would no longer read top to bottom in one place.
/// </remarks>
internal static class PageSections
{
    private static readonly (string Name, string Key, double P)[] Compared =
    [
        ("TTFT p50", "ttftMs", 50), ("TTFT p95", "ttftMs", 95), ("TTFT p99", "ttftMs", 99),
        ("ITL p50", "itlMs", 50), ("ITL p95", "itlMs", 95),
        ("TPOT p50", "tpotMs", 50), ("TPOT p95", "tpotMs", 95),
        ("E2E p50", "e2eLatencyMs", 50), ("E2E p95", "e2eLatencyMs", 95), ("E2E p99", "e2eLatencyMs", 99),
    ];

    public static void Header(HtmlWriter page, ReportDocument report, ReportDocument? baseline)
    {
        JsonElement? root = report.Root;
        page.Open("header").Open("h1").Text(report.Target ?? "(no target)").Raw(" ").Open("small")
            .Text($"{report.Environment ?? "(no environment)"} · {report.Model ?? "(no model)"}").Close("small").Close("h1");
        var facts = new List<(string, string)>
        {
            ("Environment", report.Environment ?? "–"),
            ("Target", report.Target ?? "–"),
            ("Model", report.Model ?? "–"),
            ("Profile", Profile(report)),
            ("Run id", report.RunId),
            ("Trigger", report.Trigger ?? "–"),
            ("Status", (report.Status ?? "unknown") + (report.StatusReason is { } why ? $": {why}" : string.Empty)),
            ("Started", Figures.Time(report.StartedAt)),
            ("Ended", Figures.Time(report.EndedAt) + (report.EndedAt - report.StartedAt is { } d ? $" ({Figures.Seconds(d.TotalSeconds)})" : string.Empty)),
            ("Requests", Requests(report.Stages)),
        };
        if (Validity(report.Stages, root) is { } validity)
        {
            facts.Add(("Measurement validity", validity));
        }

        if (root.Get("verdict").Text("result") is { } verdict)
        {
            facts.Add(("Verdict", verdict + (root.Get("verdict").Text("baselineRunId") is { } id ? $" against {id}" : string.Empty)));
        }

        if (root.Path("capacity") is not null)
        {
            facts.Add(("Capacity", root.Path("capacity").Number("max") is { } max ? $"{Figures.Number(max)} ({root.Path("capacity").Text("by") ?? "load"})" : "none found: even the first probe missed the SLO"));
        }

        if (root.Path("config").Text("endpoint") is { } endpoint)
        {
            facts.Add(("Endpoint", endpoint));
        }

        if (root.Path("config").Text("dataSpec") is { } data)
        {
            facts.Add(("Data", data));
        }

        if (baseline is not null)
        {
            facts.Add(("Baseline", $"{baseline.RunId} ({baseline.Status ?? "unknown"}, started {Figures.Time(baseline.StartedAt)})"));
        }

        page.Open("p").Element("span", report.Status ?? "unknown", $"class=\"badge {StatusClass(report.Status)}\" data-status=\"{Attr(report.Status)}\"").Close("p");
        page.Pairs(facts, "class=\"facts\"").Close("header");
    }

    public static void Notices(HtmlWriter page, ReportDocument report, ReportDocument? baseline, IReadOnlyList<string> chartFailures)
    {
        void Say(string text, bool bad = false) => page.Element("p", text, bad ? "class=\"notice bad\" role=\"alert\"" : "class=\"notice\"");
        if (report.Status is "failed" or "cancelled")
        {
            Say($"The run {report.Status}{(report.StatusReason is { } why ? $": {why}" : ".")}", bad: true);
        }

        if (report.Stages.Count == 0)
        {
            Say("The report has no stages: the run ended before any load was sent, so there is nothing to measure.", bad: true);
        }
        else if (report.Stages.All(s => s.Successful is 0 or null) && report.Stages.Any(s => s.Successful == 0))
        {
            var errors = report.Stages.SelectMany(s => s.Errors).GroupBy(e => e.Reason).Select(g => $"{g.Key} {Figures.Count(g.Sum(e => e.Count))}");
            var message = report.Timeline?.Messages(1) is [var top] ? $" The most frequent failure ({Figures.Count(top.Count)}×): “{top.Message}”." : string.Empty;
            Say($"No request succeeded, so there is no latency to show. Failures by reason: {string.Join(", ", errors.DefaultIfEmpty("none recorded"))}.{message}", bad: true);
        }
        else
        {
            foreach (var stage in report.Stages.Where(s => s.Successful == 0))
            {
                Say($"Stage {stage.Index} ({stage.Label}) had no successful request: " + string.Join(", ", stage.Errors.Select(e => $"{e.Reason} {Figures.Count(e.Count)}").DefaultIfEmpty("no failure recorded either")) + ".", bad: true);
            }
        }

        foreach (var notice in report.Notices)
        {
            Say(notice);
        }

        if (baseline is not null)
        {
            foreach (var notice in baseline.Notices)
            {
                Say("Baseline: " + notice);
            }

            var differences = new List<string>();
            if (!string.Equals(baseline.Target, report.Target, StringComparison.Ordinal))
            {
                differences.Add($"target {baseline.Target} against {report.Target}");
            }

            if (!string.Equals(baseline.Model, report.Model, StringComparison.Ordinal))
            {
                differences.Add($"model {baseline.Model} against {report.Model}");
            }

            if (((JsonElement?)baseline.Root).Path("config").Text("profile") is { } before && ((JsonElement?)report.Root).Path("config").Text("profile") is { } now && before != now)
            {
                differences.Add($"profile {before} against {now}");
            }

            if (differences.Count > 0)
            {
                Say($"The baseline differs from this run ({string.Join("; ", differences)}): the comparison may not mean much.");
            }
        }

        foreach (var failure in chartFailures)
        {
            Say($"A chart could not be drawn: {failure}", bad: true);
        }
    }

    public static HtmlWriter? Summary(ReportDocument report, ReportDocument? baseline)
    {
        if (report.Stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        var ttfo = report.Stages.Any(s => s.Stat("ttfoMs") is { HasData: true });
        List<string> headers = ["Stage", "Stop", "OK / failed / incomplete", "Req/s", "Out tok/s", "TTFT p50 / p95 / p99 (ms)", "ITL", "TPOT", "E2E"];
        if (ttfo)
        {
            headers.Add("TTFO");
        }

        headers.AddRange(["Dispatch p99 (ms)", "In flight mean / max", "Errors"]);
        var rows = report.Stages.Select(s =>
        {
            List<Cell> row =
            [
                $"{s.Index}: {s.Label}",
                s.StopReason ?? "–",
                Cell.Num($"{Figures.Count(s.Successful)} / {Figures.Count(s.Failed)} / {Figures.Count(s.Incomplete)}"),
                Cell.Num(Figures.Number(s.RequestsPerSecond)),
                Cell.Num(Figures.Number(s.OutputTokensPerSecond)),
                Cell.Num(Triple(s.Stat("ttftMs"))),
                Cell.Num(Triple(s.Stat("itlMs"))),
                Cell.Num(Triple(s.Stat("tpotMs"))),
                Cell.Num(Triple(s.Stat("e2eLatencyMs"))),
            ];
            if (ttfo)
            {
                row.Add(Cell.Num(Triple(s.Stat("ttfoMs"))));
            }

            row.Add(Cell.Num(Figures.Number(s.Stat("dispatchDelayMs")?.P99)));
            row.Add(Cell.Num($"{Figures.Number(s.ConcurrencyMean)} / {Figures.Number(s.ConcurrencyMax)}"));
            row.Add(s.Errors.Count == 0 ? "–" : string.Join(", ", s.Errors.Select(e => $"{e.Reason}={Figures.Count(e.Count)}")));
            return (IEnumerable<Cell>)row;
        });
        html.Table(headers, rows, "Latencies of successful requests; in flight over the measured window (docs/metrics.md).", "data-table=\"summary\"");
        var firstMessages = report.Stages.SelectMany(s => s.ErrorMessages.Select(m => (IEnumerable<Cell>)
            [$"{s.Index}: {s.Label}", m.Reason, Cell.Num(Figures.Count(s.Errors.FirstOrDefault(e => e.Reason == m.Reason).Count)), new Cell(m.Message, "wrap")])).ToList();
        if (firstMessages.Count > 0)
        {
            html.Table(["Stage", "Failure reason", "Requests", "First message"], firstMessages, "The first message of each failure reason, as the server or the connection gave it (summary.errorMessages).", "data-table=\"error-messages\"");
        }
        if (baseline is not null)
        {
            Comparison(html, report, baseline);
        }

        return html;
    }

    public static HtmlWriter? Verdict(ReportDocument report, ReportDocument? baseline)
    {
        JsonElement? verdict = ((JsonElement?)report.Root).Get("verdict");
        if (verdict is null && baseline is null)
        {
            return null;
        }

        var html = new HtmlWriter();
        if (verdict is null)
        {
            html.Element("p", $"This report carries no statistical verdict against {baseline!.RunId}: the comparison under Summary shows the changes of the figures themselves, not whether they exceed the runs' noise (guidellm-runner compare gives the verdict).");
            return html;
        }

        var result = verdict.Text("result") ?? "unknown";
        html.Open("p").Element("span", result, $"class=\"badge {VerdictClass(result)}\" data-verdict=\"{Attr(result)}\"")
            .Text(verdict.Text("baselineRunId") is { } id ? $" against baseline {id}" : " (no baseline run)").Close("p");
        if (baseline is not null && verdict.Text("baselineRunId") is { } pinned && pinned != baseline.RunId)
        {
            html.Element("p", $"The report's verdict is against {pinned}, not against the baseline given here ({baseline.RunId}).", "class=\"notice\"");
        }

        var metrics = verdict.Items("metrics").Select(m => (JsonElement?)m).ToList();
        if (metrics.Count > 0)
        {
            html.Table(
                ["Metric", "Baseline", "This run", "Change", "Interval of the change", "Result"],
                metrics.Select(m => (IEnumerable<Cell>)
                [
                    m.Text("name") ?? "–",
                    Cell.Num(Figures.Number(m.Number("baseline"))),
                    Cell.Num(Figures.Number(m.Number("current"))),
                    Cell.Num(Figures.Change(m.Number("change"))),
                    Cell.Num($"{Figures.Change(m.Number("low"))} … {Figures.Change(m.Number("high"))}"),
                    new Cell(m.Text("result") ?? "–", m.Text("result") switch { "regressed" => "bad", "improved" => "good", _ => null }),
                ]),
                "A metric regressed or improved only when the interval of its change excludes no change and the change exceeds the threshold (docs/metrics.md).",
                "data-table=\"verdict\"");
        }

        return html;
    }

    public static HtmlWriter? Distributions(SvgCharts charts, ReportDocument report, ReportDocument? baseline)
    {
        if (report.Stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        var figures = StageView.Latencies.Select(l => DistributionCharts.Cdf(charts, l.Key, l.Name, l.Long, report.Stages, baseline?.Stages)).ToList();
        if (figures.All(f => f is null))
        {
            html.Element("p", "No successful request in any stage: there is no latency distribution to draw.", "class=\"notice bad\"");
            return html;
        }

        return Grid(html, figures);
    }

    public static HtmlWriter? Timeline(SvgCharts charts, ReportDocument report, ReportDocument? baseline)
    {
        if (report.Stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        if (report.Timeline is not { } timeline)
        {
            html.Element("p", $"The per-request records ({report.RequestsFile ?? report.RunId + ReportLayout.RequestsSuffix}) were not found beside the report, so what happened during the run cannot be drawn.", "class=\"notice\"");
            return html;
        }

        Grid(html, [TimelineCharts.InFlight(charts, report, baseline), TimelineCharts.Ttft(charts, report, baseline), TimelineCharts.Failures(charts, report)]);
        var messages = timeline.Messages(8);
        if (messages.Count > 0)
        {
            html.Table(["Failure message (first 200 characters)", "Requests"], messages.Select(m => (IEnumerable<Cell>)[new Cell(m.Message, "wrap"), Cell.Num(Figures.Count(m.Count))]), "The most frequent failure messages in the per-request records.", "data-table=\"messages\"");
        }

        return html;
    }

    public static HtmlWriter? Load(SvgCharts charts, ReportDocument report, ReportDocument? baseline)
    {
        JsonElement? capacity = ((JsonElement?)report.Root).Get("capacity");
        var figures = new List<Figure?>
        {
            LoadCharts.Capacity(charts, report),
            LoadCharts.LatencyAgainstThroughput(charts, report, baseline, "ttftMs", "TTFT"),
            LoadCharts.LatencyAgainstThroughput(charts, report, baseline, "tpotMs", "TPOT"),
            LoadCharts.LatencyAgainstThroughput(charts, report, baseline, "e2eLatencyMs", "E2E latency"),
        };
        if (figures.All(f => f is null) && capacity is null)
        {
            return null;
        }

        var html = new HtmlWriter();
        if (capacity is not null)
        {
            html.Pairs(
                [
                    ("Capacity", capacity.Number("max") is { } max ? Figures.Number(max) : "none: no probe met the target"),
                    ("Searched by", capacity.Text("by") ?? "–"),
                    ("First failing load", Figures.Number(capacity.Number("firstFailing"))),
                    ("Attainment target", Figures.Percent(capacity.Number("targetAttainment") ?? Html.Slo.Target(report))),
                ],
                "class=\"facts\"");
            var probes = capacity.Items("probes").Select(p => (JsonElement?)p).ToList();
            if (probes.Count > 0)
            {
                html.Table(["Probe", "Load", "Attainment", "Met", "Stop reason"], probes.Select((p, i) => (IEnumerable<Cell>)
                [
                    (i + 1).ToString(CultureInfo.InvariantCulture),
                    Cell.Num(Figures.Number(p.Number("load"))),
                    Cell.Num(Figures.Percent(p.Number("attainment"))),
                    new Cell(p.Flag("met") is { } met ? met ? "yes" : "no" : "–", p.Flag("met") is { } m ? m ? "good" : "bad" : null),
                    p.Text("stopReason") ?? "–",
                ]), "Capacity probes in the order they ran.", "data-table=\"capacity\"");
            }
        }

        return Grid(html, figures);
    }

    public static HtmlWriter? Slo(SvgCharts charts, ReportDocument report)
    {
        var stages = report.Stages.Where(s => s.Slo is not null).ToList();
        if (stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        html.Table(
            ["Stage", "Objectives", "Evaluated", "Conforming", "Attainment", "Met", "Goodput (req/s)", "Goodput (out tok/s)"],
            stages.Select(s => (IEnumerable<Cell>)
            [
                $"{s.Index}: {s.Label}",
                string.Join(", ", JsonRead.Scalars(s.Slo.Get("objectives")).Select(o => $"{o.Name} {o.Value}")),
                Cell.Num(Figures.Count(s.Slo.Integer("evaluated"))),
                Cell.Num(Figures.Count(s.Slo.Integer("conforming"))),
                Cell.Num(Figures.Percent(s.Slo.Number("attainment"))),
                new Cell(s.Slo.Flag("met") is { } met ? met ? "met" : "not met" : "–", s.Slo.Flag("met") is { } m ? m ? "good" : "bad" : null),
                Cell.Num(Figures.Number(s.Slo.Number("requestGoodput"))),
                Cell.Num(Figures.Number(s.Slo.Number("tokenGoodput"))),
            ]),
            null,
            "data-table=\"slo\"");
        return Grid(html, [.. BarCharts.Slo(charts, report)]);
    }

    public static HtmlWriter? Server(SvgCharts charts, ReportDocument report)
    {
        var stages = report.Stages.Where(s => s.Server is not null || s.ClientMinusServer is not null).ToList();
        if (stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        Grid(html, [.. BarCharts.ServerAgainstClient(charts, report)]);
        KeyTable(html, stages, s => s.Server, "The server's own figures over each stage (server.*).", "server");
        if (stages.Any(s => s.ClientMinusServer is not null))
        {
            KeyTable(html, stages, s => s.ClientMinusServer, "Client minus server (clientMinusServer.*): the network, ingress and HTTP server's share, in ms.", "client-minus-server");
        }

        return html;
    }

    public static HtmlWriter? Validity(ReportDocument report)
    {
        var stages = report.Stages.Where(s => s.Validity is not null).ToList();
        if (stages.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        KeyTable(html, stages, s => s.Validity, "The runner watched itself during each stage; a stage is not valid when the runner, not the server, may have limited what it measured.", "validity");
        return html;
    }

    public static HtmlWriter? Turns(ReportDocument report)
    {
        var rows = new List<IEnumerable<Cell>>();
        foreach (var stage in report.Stages)
        {
            foreach (var (turn, element) in TurnEntries(stage))
            {
                JsonElement? e = element;
                rows.Add(
                [
                    $"{stage.Index}: {stage.Label}",
                    Cell.Num(turn),
                    Cell.Num(Figures.Count(e.Path("requests.successful").Number() is { } ok ? (long)ok : Stat.From(e.Get("ttftMs"))?.Count)),
                    Cell.Num(Triple(Stat.From(e.Get("ttftMs")))),
                    Cell.Num(Triple(Stat.From(e.Get("tpotMs")))),
                    Cell.Num(Triple(Stat.From(e.Get("e2eLatencyMs")))),
                ]);
            }
        }

        return rows.Count == 0 ? null : new HtmlWriter().Table(["Stage", "Turn", "Requests", "TTFT p50 / p95 / p99 (ms)", "TPOT", "E2E"], rows, "Statistics per turn index of multi-turn conversations.", "data-table=\"turns\"");
    }

    public static HtmlWriter? Shards(ReportDocument report)
    {
        var shards = ((JsonElement?)report.Root).Items("shards").Select(s => (JsonElement?)s).ToList();
        if (shards.Count == 0)
        {
            return null;
        }

        var keys = shards.SelectMany(s => JsonRead.Scalars(s).Select(p => p.Name)).Distinct(StringComparer.Ordinal).Where(k => k is not ("index" or "status" or "startSkewMs")).ToList();
        return new HtmlWriter().Table(
            ["Shard", "Status", "Start skew (ms)", .. keys],
            shards.Select(s =>
            {
                var values = JsonRead.Scalars(s).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                return (IEnumerable<Cell>)[s.Text("index") ?? "–", new Cell(s.Text("status") ?? "–", s.Text("status") is "completed" ? "good" : s.Text("status") is null ? null : "bad"), Cell.Num(Figures.Number(s.Number("startSkewMs"))), .. keys.Select(k => new Cell(values.GetValueOrDefault(k, "–")))];
            }),
            "The shards this run was split into and merged from.",
            "data-table=\"shards\"");
    }

    public static HtmlWriter? Config(ReportDocument report)
    {
        var pairs = JsonRead.Scalars(((JsonElement?)report.Root).Get("config")).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        var html = new HtmlWriter();
        html.Open("details").Element("summary", $"Effective settings ({pairs.Count}), secrets redacted");
        html.Pairs(pairs, "class=\"facts\"").Close("details");
        return html;
    }

    private static void Comparison(HtmlWriter html, ReportDocument report, ReportDocument baseline)
    {
        var rows = new List<IEnumerable<Cell>>();
        for (var i = 0; i < report.Stages.Count; i++)
        {
            var now = report.Stages[i];
            var before = baseline.Stages.FirstOrDefault(s => s.Index == now.Index) ?? (i < baseline.Stages.Count ? baseline.Stages[i] : null);
            if (before is null)
            {
                continue;
            }

            var stageName = now.Label == before.Label ? $"{now.Index}: {now.Label}" : $"{now.Index}: {before.Label} → {now.Label}";
            var items = new List<(string Name, double? Before, double? Now, bool HigherIsBetter)>
            {
                ("Successful req/s", before.RequestsPerSecond, now.RequestsPerSecond, true),
                ("Output tokens/s", before.OutputTokensPerSecond, now.OutputTokensPerSecond, true),
                ("Failed share (%)", Share(before), Share(now), false),
            };
            items.AddRange(Compared.Select(c => (c.Name + " (ms)", before.Stat(c.Key)?.Percentile(c.P), now.Stat(c.Key)?.Percentile(c.P), false)));
            foreach (var (name, b, n, higherIsBetter) in items.Where(x => x.Before is not null || x.Now is not null))
            {
                double? change = b is { } x && n is { } y && x != 0 ? (y - x) / Math.Abs(x) : null;
                var css = change is { } c && Math.Abs(c) >= 0.05 ? (c > 0 == higherIsBetter ? "good" : "bad") : "num";
                rows.Add([stageName, name, Cell.Num(Figures.Number(b)), Cell.Num(Figures.Number(n)), new Cell(Figures.Change(change), css)]);
            }
        }

        if (rows.Count > 0)
        {
            html.Table(["Stage", "Figure", $"Baseline {baseline.RunId}", "This run", "Change"], rows,
                "Changes of 5% or more are coloured: red worse, green better. These are the figures' own changes, not a statistical verdict.",
                "data-table=\"comparison\"");
        }
    }

    private static double? Share(StageView s) => s.Total is > 0 && s.Failed is { } f ? f * 100.0 / s.Total.Value : null;

    private static HtmlWriter Grid(HtmlWriter html, IEnumerable<Figure?> figures)
    {
        var list = figures.OfType<Figure>().ToList();
        if (list.Count == 0)
        {
            return html;
        }

        html.Open("div", "class=\"charts\"");
        foreach (var figure in list)
        {
            html.Open("figure", $"class=\"chart\" data-chart=\"{Attr(figure.Kind)}\"").Raw(figure.Svg);
            if (figure.Caption is { } caption)
            {
                html.Element("figcaption", caption);
            }

            html.Close("figure");
        }

        return html.Close("div");
    }

    private static void KeyTable(HtmlWriter html, IReadOnlyList<StageView> stages, Func<StageView, JsonElement?> section, string caption, string name)
    {
        var values = stages.Select(s => JsonRead.Scalars(section(s)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)).ToList();
        var keys = stages.SelectMany(s => JsonRead.Scalars(section(s)).Select(p => p.Name)).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return;
        }

        html.Table(
            ["Figure", .. stages.Select(s => $"{s.Index}: {s.Label}")],
            keys.Select(k => (IEnumerable<Cell>)[k, .. values.Select(v => Cell.Num(v.GetValueOrDefault(k, "–")))]),
            caption,
            $"data-table=\"{name}\"");
    }

    private static IEnumerable<(string Turn, JsonElement Value)> TurnEntries(StageView stage)
    {
        foreach (var place in new[] { stage.Summary.Get("turns"), stage.Summary.Get("perTurn"), ((JsonElement?)stage.Element).Get("turns") })
        {
            switch (place)
            {
                case { ValueKind: JsonValueKind.Array } array:
                    var i = 0;
                    foreach (var item in array.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object))
                    {
                        yield return (((JsonElement?)item).Text("turn") ?? ((JsonElement?)item).Text("index") ?? i.ToString(CultureInfo.InvariantCulture), item);
                        i++;
                    }

                    yield break;
                case { ValueKind: JsonValueKind.Object } map:
                    foreach (var p in map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
                    {
                        yield return (p.Name, p.Value);
                    }

                    yield break;
            }
        }
    }

    private static string Triple(Stat? s) => s is { HasData: true } ? $"{Figures.Number(s.P50)} / {Figures.Number(s.P95)} / {Figures.Number(s.P99)}" : "–";

    private static string Profile(ReportDocument report)
    {
        JsonElement? config = ((JsonElement?)report.Root).Get("config");
        var profile = config.Text("profile") ?? report.Stages.FirstOrDefault()?.Kind ?? "–";
        var parts = new List<string> { profile };
        if (config.Number("rate") is { } rate && profile is not ("synchronous" or "sweep" or "throughput" or "capacity"))
        {
            parts.Add($"rate {Figures.Number(rate)}");
        }

        if (config.Number("maxSeconds") is { } seconds)
        {
            parts.Add($"max {Figures.Number(seconds)} s per stage");
        }

        if (config.Number("maxRequests") is { } requests)
        {
            parts.Add($"max {Figures.Number(requests)} requests per stage");
        }

        if (report.Stages.Count > 1)
        {
            parts.Add($"{report.Stages.Count} stages");
        }

        return string.Join(", ", parts);
    }

    private static string Requests(IReadOnlyList<StageView> stages)
    {
        if (stages.Count == 0)
        {
            return "none sent";
        }

        long Sum(Func<StageView, long?> f) => stages.Sum(s => f(s) ?? 0);
        return $"{Figures.Count(Sum(s => s.Total))} in the measured windows: {Figures.Count(Sum(s => s.Successful))} successful, {Figures.Count(Sum(s => s.Failed))} failed, {Figures.Count(Sum(s => s.Incomplete))} incomplete";
    }

    private static string? Validity(IReadOnlyList<StageView> stages, JsonElement? root)
    {
        var judged = stages.Where(s => s.Validity is not null).ToList();
        if (judged.Count == 0)
        {
            return root.Get("validity") is { } run ? Words(run) : null;
        }

        var invalid = judged.Where(s => s.Validity.Flag("valid") == false).ToList();
        if (invalid.Count == 0)
        {
            return $"valid ({judged.Count} of {stages.Count} stages judged)";
        }

        return "NOT valid: " + string.Join("; ", invalid.Select(s => $"stage {s.Index} ({s.Label}): {Reasons(s.Validity)}"));

        static string Words(JsonElement v) => ((JsonElement?)v).Flag("valid") == false ? "NOT valid: " + Reasons(v) : "valid";
    }

    private static string Reasons(JsonElement? validity) =>
        string.Join(", ", validity.Items("reasons").Select(r => r.ValueKind == JsonValueKind.String ? r.GetString() : r.GetRawText()).DefaultIfEmpty("no reason given"));

    private static string StatusClass(string? status) => status switch
    {
        "completed" => "good",
        "failed" => "bad",
        "cancelled" or "partial" => "warn",
        _ => string.Empty,
    };

    private static string VerdictClass(string result) => result switch
    {
        "regressed" => "bad",
        "improved" => "good",
        "no_baseline" or "incomparable" => "warn",
        _ => string.Empty,
    };

    private static string Attr(string? value) => HtmlWriter.Escape(value);
}
