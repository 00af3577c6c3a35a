using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Benchmarks.Support;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Benchmarks.Scenarios;

/// <summary>
/// Workloads (issue 20): counting a long prompt's tokens with the tokenizer and with <see cref="TokenCounter"/> (prompts cut
/// from the corpus, and varied text: this repository's docs and sources); preparing requests with 32k- and 128k-token prompts (synthetic and from a dataset) in requests
/// per second and CPU per request, and where a 128k-token record of distinct real text goes phase by phase; the peak working set of a fresh process (<c>dataset-probe</c>) reading a whole dataset
/// of 10 MB, 100 MB and 1 GB in order and shuffled; 20-turn conversations at 100 at once against the simulator. The
/// datasets are written to a temporary folder and deleted after.
/// </summary>
internal static partial class WorkloadScenario
{
    private static readonly PromptGenerator Prompts = new();

    public static async Task RunAsync(Suite suite)
    {
        var dir = Directory.CreateTempSubdirectory("guidellm-workloads-").FullName;
        try
        {
            Counting(suite);
            Preparation(suite, dir);
            await MemoryAsync(suite, dir).ConfigureAwait(false);
            await ConversationsAsync(suite).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The child side: reads a whole dataset once through the request source and prints its peak working set.</summary>
    public static int Probe(string[] args)
    {
        var path = args[0];
        var order = DatasetNames.Orders.TryParse(args[1], out var o) ? o : DatasetOrder.Sequential;
        var records = long.Parse(args[2], CultureInfo.InvariantCulture);
        var settings = new BenchmarkSettings { Profile = ProfileKind.Concurrent, MaxRequests = (int)records }
            .Set(SettingsTable.Dataset, new DatasetSpec { Path = path, Order = order, OutputTokens = DatasetOutputLengths.DataSpec });
        var target = new ResolvedTarget("bench", new TargetConfig { Name = "probe", Url = new Uri("http://127.0.0.1:1/v1"), Model = Burst.Model }, settings);
        var wall = Stopwatch.StartNew();
        using (var source = DatasetRequestSource.Open(target, Prompts, "probe", new DatasetOpener(), NullLogger.Instance))
        {
            for (long i = 0; i < records; i++)
            {
                _ = source.Prepare(0, i);
            }
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(JsonSerializer.Serialize(new { peakWorkingSetBytes = self.PeakWorkingSet64, seconds = wall.Elapsed.TotalSeconds }));
        return 0;
    }

    /// <summary>
    /// CPU of one count of a long text: the tokenizer's <c>CountTokens</c> against a <see cref="TokenCounter"/> that has
    /// counted another text of the same kind first (as a dataset's read-ahead thread has), on texts it has not seen, each
    /// counted once.
    /// </summary>
    private static void Counting(Suite suite)
    {
        var repository = string.Concat(new[] { "docs", "src", "tests", "benchmarks" }.Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(File.ReadAllText));
        var real = new RealTextCorpus();
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var (tokens, chars, texts) in new[] { (32_768, 120_000, suite.Quick ? 3 : 8), (131_072, 480_000, suite.Quick ? 1 : 3) })
        {
            var corpus = Enumerable.Range(0, texts + 1).Select(i => Prompts.Generate(tokens, $"[{i}]", new Random(i)).Prompt).ToList();
            var varied = Enumerable.Range(0, texts + 1).Where(i => (i + 1) * chars <= repository.Length).Select(i => repository.Substring(i * chars, chars)).ToList();
            var machine = Enumerable.Range(0, texts + 1).Select(_ => real.Take(chars)).OfType<string>().ToList();
            foreach (var (name, set) in new[] { ("prompt cut from the corpus", corpus), ("this repository's docs and C# (varied)", varied), ("this machine's man pages, docs and sources (distinct)", machine) })
            {
                if (set.Count < 2)
                {
                    continue;
                }

                var counter = Prompts.NewCounter();
                _ = counter.Count(set[0]);
                _ = Prompts.CountTokens(set[0]);
                var measured = set.Skip(1).ToList();
                var (tokenizerMs, exact) = CpuPerText(measured, t => Prompts.CountTokens(t));
                var (counterMs, counted) = CpuPerText(measured, t => counter.Count(t));
                var meanTokens = exact / measured.Count;
                rows.Add([name, meanTokens.ToString("N0", CultureInfo.InvariantCulture), measured.Count.ToString(CultureInfo.InvariantCulture), Suite.F(tokenizerMs, 2), Suite.F(counterMs, 2), Suite.F(tokenizerMs / counterMs, 1) + "x", counted == exact ? "yes" : $"NO ({counted} vs {exact})"]);
                results.Add(new { text = name, tokens = meanTokens, texts = measured.Count, tokenizerCpuMs = tokenizerMs, counterCpuMs = counterMs, sameCount = counted == exact });
            }
        }

        suite.Table("Workloads: counting a long prompt's tokens (CPU ms per text; the counter has counted one text of the kind before)", ["text", "tokens", "texts", "CountTokens ms", "TokenCounter ms", "ratio", "same count"], rows);
        suite.Sections["workloadCounting"] = results;
    }

    private static (double CpuMs, long Tokens) CpuPerText(List<string> texts, Func<string, int> count)
    {
        // Each text once, timed on this thread: a second count would find every piece already counted.
        var cpu = ThreadCpu.Now();
        var tokens = texts.Sum(t => (long)count(t));
        return ((ThreadCpu.Now() - cpu).TotalMilliseconds / texts.Count, tokens);
    }

    private static void Preparation(Suite suite, string dir)
    {
        var rows = new List<string[]>();
        var results = new List<object>();
        foreach (var tokens in (int[])[32_768, 131_072])
        {
            var count = suite.Quick ? 10 : 40;
            var path = Path.Combine(dir, $"long-{tokens}.jsonl");
            using (var file = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                for (var i = 0; i < count; i++)
                {
                    file.WriteLine(JsonSerializer.Serialize(new { prompt = Prompts.Generate(tokens, $"[{i}]", new Random(i)).Prompt, output_tokens = 128 }));
                }
            }

            var settings = new BenchmarkSettings { Data = new DataSpec(new TokenDistribution(tokens), new TokenDistribution(128)) };
            var target = new ResolvedTarget("bench", new TargetConfig { Name = "prep", Url = new Uri("http://127.0.0.1:1/v1"), Model = Burst.Model }, settings);
            var synthetic = new SyntheticRequestSource(target, Prompts, "prep");
            Measure("synthetic", synthetic, count, tokens, rows, results);

            var datasetTarget = target with { Settings = settings.Set(SettingsTable.Dataset, new DatasetSpec { Path = path }) };
            using var dataset = DatasetRequestSource.Open(datasetTarget, Prompts, "prep", new DatasetOpener(), NullLogger.Instance);
            // Many more requests than the 64 read ahead, so the read-ahead done outside the measured loop is a small share.
            Measure("dataset (JSON lines, tokens counted)", dataset, suite.Quick ? 100 : 400, tokens, rows, results);
        }

        RealText(suite, dir, rows, results);
        Phases(suite, dir);
        suite.Table("Workloads: preparing long prompts (one thread prepares; a dataset's are read and counted ahead on another)", ["source", "prompt tokens", "requests", "prepared/s", "CPU ms/request", "% of a core at 10 req/s"], rows);
        suite.Sections["workloadPreparation"] = results;
    }

    /// <summary>
    /// Dataset records of distinct real text (this machine's man pages, docs, licenses, Python sources and .NET XML docs,
    /// files taken in turn from each folder), every record counted once: the file holds the read-ahead and the measured
    /// requests, so neither the measured preparations nor the read-ahead in the window meet a record twice. Skipped, and
    /// said so, when the folders hold too little text.
    /// </summary>
    private static void RealText(Suite suite, string dir, List<string[]> rows, List<object> results)
    {
        const int Ahead = 64;
        var count = suite.Quick ? 10 : 40;
        var text = new RealTextCorpus();
        foreach (var tokens in (int[])[32_768, 131_072])
        {
            // About 4 characters a token; the rows report the records' real mean.
            var chars = tokens * 4;
            var records = new List<string>();
            while (records.Count < count + Ahead + 2 && text.Take(chars) is { } record)
            {
                records.Add(record);
            }

            if (records.Count < count + Ahead + 2)
            {
                rows.Add([$"dataset of distinct real text: skipped ({RealTextCorpus.Describe()} hold too little text)", tokens.ToString("N0", CultureInfo.InvariantCulture), "0", "-", "-", "-"]);
                continue;
            }

            var path = Path.Combine(dir, $"real-{tokens}.jsonl");
            using (var file = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                foreach (var record in records)
                {
                    file.WriteLine(JsonSerializer.Serialize(new { prompt = record, output_tokens = 128 }));
                }
            }

            var counter = Prompts.NewCounter();
            var meanTokens = (int)records.Skip(1).Take(count).Average(r => counter.Count(r));
            var settings = new BenchmarkSettings { Data = new DataSpec(new TokenDistribution(tokens), new TokenDistribution(128)) }
                .Set(SettingsTable.Dataset, new DatasetSpec { Path = path });
            var target = new ResolvedTarget("bench", new TargetConfig { Name = "prep", Url = new Uri("http://127.0.0.1:1/v1"), Model = Burst.Model }, settings);
            using var dataset = DatasetRequestSource.Open(target, Prompts, "prep", new DatasetOpener(), NullLogger.Instance);
            Measure("dataset of distinct real text (JSON lines, tokens counted)", dataset, count, meanTokens, rows, results, settle: true);
            File.Delete(path);
        }
    }

    /// <summary>
    /// Where the preparation of a 128k-token record of distinct real text goes, phase by phase on one thread's own CPU clock,
    /// as the read-ahead thread does it: cut the record from the file, parse it, count its question, write its body (as the
    /// file writes the question, and, the old way, escaped again from the string). Then the pieces counted for the first time,
    /// which distinct text meets thousands of times a record: by the tokenizer (the old way) and by <see cref="PieceRanks"/>.
    /// </summary>
    private static void Phases(Suite suite, string dir)
    {
        const int Warm = 4;
        var count = suite.Quick ? 10 : 40;
        var corpus = new RealTextCorpus();
        var texts = new List<string>();
        while (texts.Count < count + Warm && corpus.Take(131_072 * 4) is { } text)
        {
            texts.Add(text);
        }

        if (texts.Count < count + Warm)
        {
            suite.Table("Workloads: where a 128k-token record of distinct real text goes", ["phase", "CPU ms per record"], [[$"skipped ({RealTextCorpus.Describe()} hold too little text)", "-"]]);
            return;
        }

        var path = Path.Combine(dir, "phases.jsonl");
        File.WriteAllLines(path, texts.Select(t => JsonSerializer.Serialize(new { prompt = t, output_tokens = 128 })), new UTF8Encoding(false));
        var spec = new DatasetSpec { Path = path };
        var counter = Prompts.NewCounter();
        var cpu = new double[5];
        var tokens = 0L;
        var records = new List<DatasetRecord>();
        using (var stream = File.OpenRead(path))
        using (var scanner = new RecordScanner(stream, csv: false))
        {
            RecordParser? parser = null;
            for (var i = 0; i < texts.Count; i++)
            {
                var t0 = ThreadCpu.Now();
                _ = scanner.Next(out var scanned);
                var t1 = ThreadCpu.Now();
                parser ??= RecordParser.Create(spec, scanned.Bytes.Span);
                var record = parser.Parse(scanned.Line, scanned.Bytes.Span, out _)!;
                var t2 = ThreadCpu.Now();
                var n = counter.Count(record.Messages[0].Content);
                var t3 = ThreadCpu.Now();
                _ = RequestBodyBuilder.Build(RequestType.ChatCompletions, Burst.Model, [], record.QuestionJson, 128, ignoreEos: true);
                var t4 = ThreadCpu.Now();
                if (i >= Warm)
                {
                    tokens += n;
                    TimeSpan[] spans = [t1 - t0, t2 - t1, t3 - t2, t4 - t3];
                    for (var k = 0; k < spans.Length; k++)
                    {
                        cpu[k] += spans[k].TotalMilliseconds / count;
                    }
                }

                records.Add(record);
            }
        }

        // Apart: the old body drops the writer's kept buffer (it asks for six times the text), which the new one would then grow again.
        for (var i = 0; i < records.Count; i++)
        {
            var t0 = ThreadCpu.Now();
            _ = RequestBodyBuilder.Build(RequestType.ChatCompletions, Burst.Model, records[i].Messages, 128, ignoreEos: true);
            cpu[4] += i >= Warm ? (ThreadCpu.Now() - t0).TotalMilliseconds / count : 0;
        }

        File.Delete(path);
        var (tokenizerUs, ranksUs, pieces) = NewPieces(texts);
        var rows = new List<string[]>
        {
            new[] { "read (cut from the file)", Suite.F(cpu[0], 2) },
            new[] { "parse (JSON, the question unescaped to a string)", Suite.F(cpu[1], 2) },
            new[] { $"count (cl100k, {tokens / count:N0} tokens)", Suite.F(cpu[2], 2) },
            new[] { "body, the question copied as the file writes it (now)", Suite.F(cpu[3], 2) },
            new[] { "body, the question escaped again from the string (before)", Suite.F(cpu[4], 2) },
            new[] { $"a piece counted for the first time, by the tokenizer (before), µs; {pieces:N0} pieces", Suite.F(tokenizerUs, 2) },
            new[] { "a piece counted for the first time, by PieceRanks (now), µs", Suite.F(ranksUs, 2) },
        };
        suite.Table("Workloads: where a 128k-token record of distinct real text goes (thread CPU ms per record)", ["phase", "CPU ms per record"], rows);
        suite.Sections["workloadPhases"] = new { records = count, tokensPerRecord = tokens / count, readMs = cpu[0], parseMs = cpu[1], countMs = cpu[2], bodyAsWrittenMs = cpu[3], bodyEscapedAgainMs = cpu[4], newPieceTokenizerUs = tokenizerUs, newPieceRanksUs = ranksUs, pieces };
    }

    /// <summary>Thread CPU of counting each distinct ASCII piece of <paramref name="texts"/> once: a fresh tokenizer (its cache empty) against <see cref="PieceRanks"/>; the counts must agree.</summary>
    private static (double TokenizerUs, double RanksUs, int Pieces) NewPieces(List<string> texts)
    {
        var pieces = texts.SelectMany(t => PiecePattern().Matches(t).Select(m => m.Value)).Where(p => p.Length <= 64 && Ascii.IsValid(p)).Distinct(StringComparer.Ordinal).ToList();
        var ranks = PieceRanks.Build(Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4"));
        double tokenizerUs = 0, ranksUs = 0;

        // The first round compiles both; the second is measured.
        for (var round = 0; round < 2; round++)
        {
            var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4");
            var t0 = ThreadCpu.Now();
            var byTokenizer = pieces.Sum(p => (long)tokenizer.CountTokens(p, considerPreTokenization: false));
            var t1 = ThreadCpu.Now();
            var byRanks = pieces.Sum(p => (long)ranks.Count(p));
            var t2 = ThreadCpu.Now();
            if (byTokenizer != byRanks)
            {
                throw new InvalidOperationException($"PieceRanks counted {byRanks} tokens, the tokenizer {byTokenizer}");
            }

            (tokenizerUs, ranksUs) = ((t1 - t0).TotalMicroseconds / pieces.Count, (t2 - t1).TotalMicroseconds / pieces.Count);
        }

        return (tokenizerUs, ranksUs, pieces.Count);
    }

    // cl100k_base's pattern, as the tokenizer's pre-tokenizer cuts text.
    [System.Text.RegularExpressions.GeneratedRegex(@"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial System.Text.RegularExpressions.Regex PiecePattern();

    private static void Measure(string name, IRequestSource source, int count, int tokens, List<string[]> rows, List<object> results, bool settle = false)
    {
        _ = source.Prepare(0, 0);
        if (settle)
        {
            WhileBusy();
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 1; i <= count; i++)
        {
            _ = source.Prepare(0, i);
        }

        wall.Stop();
        if (settle)
        {
            // The read-ahead refills behind the last preparation; its work for these requests belongs to them.
            WhileBusy();
        }

        self.Refresh();
        var cpuMs = (self.TotalProcessorTime - cpu).TotalMilliseconds / count;
        var perSecond = count / wall.Elapsed.TotalSeconds;
        rows.Add([name, tokens.ToString("N0", CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), Suite.F(perSecond, 0), Suite.F(cpuMs, 2), Suite.F(cpuMs, 1) + "%" /* ms per request x 10 per second, as a share of 1000 ms */]);
        results.Add(new { source = name, promptTokens = tokens, requests = count, preparedPerSecond = perSecond, cpuMsPerRequest = cpuMs, coreShareAt10PerSecond = cpuMs * 10 / 1000 });
    }

    /// <summary>Waits until the process has used under 1% of a core for 500 ms: the read-ahead has filled (a thread starved by a load of 40 on 2 cores still gets 5%).</summary>
    private static void WhileBusy()
    {
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < 240; i++)
        {
            self.Refresh();
            var before = self.TotalProcessorTime;
            Thread.Sleep(500);
            self.Refresh();
            if ((self.TotalProcessorTime - before).TotalMilliseconds < 5)
            {
                return;
            }
        }
    }

    private static async Task MemoryAsync(Suite suite, string dir)
    {
        var rows = new List<string[]>();
        var results = new List<(long Bytes, string Order, double PeakMiB, double Seconds)>();
        long[] sizes = suite.Quick ? [10L << 20, 100L << 20] : [10L << 20, 100L << 20, 1L << 30];
        foreach (var size in sizes)
        {
            var (path, records) = WriteDataset(dir, size);
            foreach (var order in (string[])["sequential", "shuffle"])
            {
                using var json = await ProbeProcess.RunAsync("dataset-probe", path, order, records.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                var peak = json.RootElement.GetProperty("peakWorkingSetBytes").GetInt64() / (1024.0 * 1024);
                var seconds = json.RootElement.GetProperty("seconds").GetDouble();
                results.Add((size, order, peak, seconds));
                rows.Add([Suite.F(size / (1024.0 * 1024), 0), records.ToString("N0", CultureInfo.InvariantCulture), order, Suite.F(peak, 1), Suite.F(records / seconds, 0)]);
            }

            File.Delete(path);
        }

        suite.Table("Workloads: peak working set of a process reading a whole dataset (ShareGPT-like plain records of ~2 KB)", ["file MiB", "records", "order", "peak MiB", "records/s"], rows);
        suite.Sections["workloadDatasetMemory"] = results.Select(r => new { fileBytes = r.Bytes, order = r.Order, peakWorkingSetMiB = r.PeakMiB, seconds = r.Seconds });
        foreach (var order in (string[])["sequential", "shuffle"])
        {
            // From the second size: a 10 MiB file is read in a second or two, before the process's heap has grown to its working size.
            var smallest = results.Where(r => r.Order == order).Skip(sizes.Length > 2 ? 1 : 0).First();
            var largest = results.Last(r => r.Order == order);
            var growth = largest.PeakMiB / smallest.PeakMiB - 1;
            suite.Goals.Add(new Goal($"dataset memory {smallest.Bytes >> 20} MiB -> {largest.Bytes >> 20} MiB file, {order}", "independent of file size (<= 10% growth)", Suite.F(100 * growth, 1) + "%", growth <= 0.10));
        }
    }

    private static (string Path, long Records) WriteDataset(string dir, long bytes)
    {
        var path = Path.Combine(dir, $"dataset-{bytes >> 20}MiB.jsonl");
        var filler = new string('x', 1900);
        long written = 0, records = 0;
        using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        while (written < bytes)
        {
            var line = $"{{\"prompt\":\"Question {records}: what do the records of a large dataset cost a reader that streams them?\",\"output_tokens\":64,\"note\":\"{filler}\"}}";
            file.WriteLine(line);
            written += line.Length + 1;
            records++;
        }

        return (path, records);
    }

    private static async Task ConversationsAsync(Suite suite)
    {
        await using var simulator = await SimulatorProcess.StartAsync(new SimulatorOptions { TtftMs = 20, ItlMs = 2, ItlLoadFactor = 0, MaxBatch = 1000, GroundTruthCapacity = 0 }).ConfigureAwait(false);
        var conversations = suite.Quick ? 100 : 300;
        var settings = new BenchmarkSettings
        {
            Profile = ProfileKind.Concurrent, Rate = 100, MaxRequests = conversations, MaxDuration = TimeSpan.FromMinutes(10),
            Data = new DataSpec(new TokenDistribution(128), new TokenDistribution(32)) { Turns = 20 },
        };
        var result = await Burst.RunAsync(simulator.V1, settings).ConfigureAwait(false);
        var s = result.Summary;
        var turns = s.Turns!;
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var rows = new List<string[]>
        {
            new[] { "conversations x turns", $"{conversations} x 20" },
            new[] { "requests successful / failed", $"{s.Requests.Successful:N0} / {s.Requests.Failed:N0}" },
            new[] { "requests/s", Suite.F(s.Throughput.RequestsPerSecond, 0) },
            new[] { "runner CPU per request (ms)", Suite.F(result.Cpu.TotalMilliseconds / Math.Max(1, s.Requests.Total), 3) },
            new[] { "allocated per request (KB)", Suite.F(result.AllocatedBytes / 1024.0 / Math.Max(1, s.Requests.Total), 1) },
            new[] { "prompt tokens per request, turn 0 / turn 19", $"{turns[0].PromptTokens / Math.Max(1, turns[0].Requests.Successful)} / {turns[^1].PromptTokens / Math.Max(1, turns[^1].Requests.Successful)}" },
            new[] { "TTFT p50 turn 0 / turn 19 (ms)", $"{Suite.F(turns[0].TtftMs.P50, 1)} / {Suite.F(turns[^1].TtftMs.P50, 1)}" },
            new[] { "concurrency mean / max", $"{Suite.F(s.Concurrency.Mean, 1)} / {s.Concurrency.Max}" },
            new[] { "bench process peak working set (MiB)", Suite.F(self.PeakWorkingSet64 / (1024.0 * 1024), 0) },
        };
        suite.Table("Workloads: 20-turn conversations, 100 at once, against the simulator (TTFT 20 ms, ITL 2 ms, 32 output tokens)", ["figure", "value"], rows);
        suite.Sections["workloadConversations"] = new
        {
            conversations,
            turns = 20,
            successful = s.Requests.Successful,
            failed = s.Requests.Failed,
            requestsPerSecond = s.Throughput.RequestsPerSecond,
            cpuMsPerRequest = result.Cpu.TotalMilliseconds / Math.Max(1, s.Requests.Total),
            allocatedBytesPerRequest = result.AllocatedBytes / Math.Max(1, s.Requests.Total),
            promptTokensTurn0 = turns[0].PromptTokens / Math.Max(1, turns[0].Requests.Successful),
            promptTokensTurn19 = turns[^1].PromptTokens / Math.Max(1, turns[^1].Requests.Successful),
        };
        suite.Goals.Add(new Goal("20-turn conversations, 100 at once", "every turn successful", $"{s.Requests.Successful:N0} of {conversations * 20:N0}", s.Requests.Successful == conversations * 20));
    }
}
