using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Tests.Data;

/// <summary>The dataset readers on the sample files and on files made broken on purpose.</summary>
public sealed class DatasetReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static DatasetReader Open(DatasetSpec spec, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        DatasetReader.Open(spec, new DatasetOpener(), logger ?? NullLogger.Instance);

    private static List<DatasetRecord> All(DatasetReader reader, int pass = 0, int seed = 42) => [.. reader.Pass(pass, seed, fileOrder: false, CancellationToken.None)];

    [Theory]
    [InlineData("sharegpt.jsonl", DatasetFormat.ShareGpt, 10)]
    [InlineData("openai-chat.jsonl", DatasetFormat.OpenAi, 10)]
    [InlineData("plain.jsonl", DatasetFormat.Plain, 10)]
    [InlineData("prompts.csv", DatasetFormat.Csv, 10)]
    [InlineData("mooncake-trace.jsonl", DatasetFormat.Mooncake, 16)]
    [InlineData("azure-trace.csv", DatasetFormat.AzureTrace, 16)]
    public void Each_sample_format_is_detected_and_read_whole(string file, DatasetFormat format, int records)
    {
        var reader = Open(new DatasetSpec { Path = Samples.Path(file) });

        var read = All(reader);

        Assert.Equal(format, reader.Format);
        Assert.Equal(records, read.Count);
        Assert.Equal(0, reader.Malformed);
        Assert.Equal(format is DatasetFormat.Mooncake or DatasetFormat.AzureTrace, read.All(r => r.IsTrace));
        Assert.Equal(read.OrderBy(r => r.Line).Select(r => r.Line), read.Select(r => r.Line));
    }

    [Fact]
    public void Records_carry_what_each_format_says()
    {
        var share = All(Open(new DatasetSpec { Path = Samples.Path("sharegpt.jsonl") }));
        Assert.Equal([ChatMessage.User, ChatMessage.Assistant, ChatMessage.User, ChatMessage.Assistant], share[1].Messages.Select(m => m.Role));
        Assert.Equal("Explain in two sentences why a load test should be open loop.", share[1].Messages[0].Content);

        var chat = All(Open(new DatasetSpec { Path = Samples.Path("openai-chat.jsonl") }));
        Assert.Equal(ChatMessage.System, chat[0].Messages[0].Role);
        Assert.Equal(48, chat[0].OutputTokens);

        var csv = All(Open(new DatasetSpec { Path = Samples.Path("prompts.csv") }));
        Assert.Equal("Write a haiku about a harbour at dawn.\nMake the second line about gulls, and quote \"the wall\".", csv[3].Messages[0].Content);
        Assert.Equal(36, csv[3].OutputTokens);
        Assert.Equal(7, csv[4].Line);

        var mooncake = All(Open(new DatasetSpec { Path = Samples.Path("mooncake-trace.jsonl") }));
        Assert.Equal([11L, 12, 101], mooncake[1].HashIds);
        Assert.Equal(1113, mooncake[1].InputLength);
        Assert.Equal(40, mooncake[1].OutputTokens);

        var azure = All(Open(new DatasetSpec { Path = Samples.Path("azure-trace.csv") }));
        Assert.Equal(120, azure[1].TimestampMs!.Value - azure[0].TimestampMs!.Value, 3);
        Assert.Equal(396, azure[1].InputLength);
        Assert.Equal(109, azure[1].OutputTokens);
    }

    [Fact]
    public void A_malformed_line_is_skipped_with_its_line_number_and_counted_once_over_passes()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"{{\"prompt\":\"question {i}\"}}").ToList();
        lines[3] = "{\"prompt\": 5}";
        lines[7] = "{not json";
        lines.Insert(5, string.Empty);
        var path = _dir.Write("broken.jsonl", string.Join("\r\n", lines) + "\r\n");
        var logger = new ListLogger();
        var reader = Open(new DatasetSpec { Path = path }, logger);

        var first = All(reader, 0);
        var second = All(reader, 1);

        Assert.Equal(10, first.Count);
        Assert.Equal(10, second.Count);
        Assert.Equal(2, reader.Malformed);
        Assert.Equal([4L, 9L], reader.MalformedLines);
        var warnings = logger.Entries.Where(r => r.EventId == 2201).Select(r => r.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("line 4 skipped: no prompt", warnings[0], StringComparison.Ordinal);
        Assert.Contains("line 9 skipped: not valid JSON", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_mostly_malformed_file_an_unknown_format_and_a_missing_blob_are_refused_naming_them()
    {
        var broken = _dir.Write("mostly.jsonl", "{\"prompt\":\"fine\"}\n{\"prompt\":1}\n{\"prompt\":2}\n{\"prompt\":\"ok\"}\n[1]\n");
        var unknown = _dir.Write("unknown.txt", "just some words\nand more\n");
        var noKeys = _dir.Write("keys.jsonl", "{\"question\":\"q\"}\n");

        Assert.Contains("3 of its first 5 records are not plain records; refused as mostly malformed", Assert.Throws<DatasetException>(() => Open(new DatasetSpec { Path = broken })).Message, StringComparison.Ordinal);
        var format = Assert.Throws<DatasetException>(() => Open(new DatasetSpec { Path = unknown })).Message;
        Assert.Contains(unknown, format, StringComparison.Ordinal);
        Assert.Contains("sharegpt, openai, plain, csv, mooncake, azure_trace", format, StringComparison.Ordinal);
        Assert.Contains("without conversations, messages, prompt or input_length", Assert.Throws<DatasetException>(() => Open(new DatasetSpec { Path = noKeys })).Message, StringComparison.Ordinal);
        var blob = Assert.Throws<DatasetException>(() => Open(new DatasetSpec { Url = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/devstoreaccount1/data/set.jsonl?sv=1&sig=SECRETSIG") }));
        Assert.Contains("cannot read the blob", blob.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIG", blob.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shuffle_is_a_seeded_permutation_of_every_record_new_in_each_pass()
    {
        var path = _dir.Write("many.jsonl", string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"prompt\":\"question number {i}\"}}\n")));
        var spec = new DatasetSpec { Path = path, Order = DatasetOrder.Shuffle };
        string[] Prompts(DatasetReader r, int pass, int seed) => [.. All(r, pass, seed).Select(x => x.Messages[0].Content)];
        var reader = Open(spec);

        var first = Prompts(reader, 0, 7);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"question number {i}").Order(), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 500).Select(i => $"question number {i}"), first);
        Assert.Equal(first, Prompts(Open(spec), 0, 7));
        Assert.NotEqual(first, Prompts(reader, 1, 7));
        Assert.NotEqual(first, Prompts(reader, 0, 8));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"question number {i}"), reader.Pass(0, 7, fileOrder: true, CancellationToken.None).Select(x => x.Messages[0].Content));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_shuffle_larger_than_its_window_keeps_one_offset_per_block_and_gives_every_record_once(bool csv)
    {
        // Quoted CSV fields hold newlines, so a block must start where the scanner saw a record start, not after any newline.
        var text = csv
            ? "prompt,output_tokens\n" + string.Concat(Enumerable.Range(0, 600).Select(i => i % 50 == 7 ? $"\"question {i}\",many\n" : $"\"question\nnumber {i}\",4\n"))
            : string.Concat(Enumerable.Range(0, 600).Select(i => i % 50 == 7 ? "{\"prompt\":\n" : $"{{\"prompt\":\"question number {i}\"}}\n"));
        var path = _dir.Write(csv ? "many.csv" : "many.jsonl", text);
        var spec = new DatasetSpec { Path = path, Order = DatasetOrder.Shuffle };
        var expected = Enumerable.Range(0, 600).Where(i => i % 50 != 7).Select(i => csv ? $"question\nnumber {i}" : $"question number {i}").ToList();
        var reader = DatasetReader.Open(spec, new DatasetOpener(), NullLogger.Instance, blockBytes: 200, windowBytes: 1000);
        string[] Prompts(DatasetReader r, int pass, int seed) => [.. All(r, pass, seed).Select(x => x.Messages[0].Content)];

        var first = Prompts(reader, 0, 7);

        Assert.Equal(expected.Order(), first.Order());
        Assert.NotEqual(expected, first);
        Assert.InRange(reader.ShuffleBlocks, text.Length / 250, text.Length / 200);
        Assert.Equal(12, reader.Malformed);
        Assert.Equal(first, Prompts(DatasetReader.Open(spec, new DatasetOpener(), NullLogger.Instance, blockBytes: 200, windowBytes: 1000), 0, 7));
        Assert.NotEqual(first, Prompts(reader, 1, 7));
        Assert.Equal(12, reader.Malformed);

        // The window mixes records from far apart in the file: the first 20 out are not from one stretch of it.
        var positions = first.Take(20).Select(p => expected.IndexOf(p)).ToList();
        Assert.True(positions.Max() - positions.Min() > 100, string.Join(",", positions));
    }

    [Fact]
    public void The_scanner_reads_records_longer_than_its_buffer_and_skips_those_past_its_limit()
    {
        var big = new string('a', 300_000);
        var text = $"\uFEFF{{\"prompt\":\"{big}\"}}\r\n{{\"prompt\":\"{new string('b', 2_000_000)}\"}}\n{{\"prompt\":\"short\"}}";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        using var scanner = new RecordScanner(stream, csv: false, maxRecordBytes: 1 << 20);
        var records = new List<(long Line, bool TooLong, int Length, long Offset)>();
        while (scanner.Next(out var r))
        {
            records.Add((r.Line, r.TooLong, r.Bytes.Length, r.Offset));
        }

        Assert.Equal([(1L, false, big.Length + 13, 3L), (2L, true, 0, records[1].Offset), (3L, false, 18, records[2].Offset)], records);
        Assert.Equal(Encoding.UTF8.GetByteCount(text) - 18, records[2].Offset);
    }
}
