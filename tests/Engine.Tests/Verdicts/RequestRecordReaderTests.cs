using System.IO.Compression;
using System.Text;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Verdicts;

namespace GuidellmFunctions.Engine.Tests.Verdicts;

/// <summary>The records a verdict reads are the records the runner writes; a damaged file is named by its line.</summary>
public sealed class RequestRecordReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guidellm-records-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<List<RecordFields>> ReadAsync(string path)
    {
        var records = new List<RecordFields>();
        await using var stream = File.OpenRead(path);
        await RequestRecordReader.ReadAsync(stream, records.Add, CancellationToken.None);
        return records;
    }

    [Fact]
    public async Task What_the_writer_writes_is_read_back_field_by_field()
    {
        var path = Path.Combine(_dir, "r.requests.jsonl.gz");
        const long Frequency = 1_000_000;
        var settings = new BenchmarkSettings { Profile = ProfileKind.Constant, Rate = 1 };
        var target = new ResolvedTarget("dev", new TargetConfig { Name = "t", Url = new Uri("http://127.0.0.1:1/v1"), Model = "m" }, settings);
        var stage = new StageContext("r", target, StagePlan.Create(settings, 3, ProfileKind.Constant), 1_000, () => 0);
        var ok = new RequestResult { RequestId = "r-3-0", TimestampFrequency = Frequency, ScheduledTimestamp = 2_000, Status = RequestStatus.Successful, UsageOutputTokens = 5 };
        (ok.SentTimestamp, ok.FirstContentTimestamp, ok.LastContentTimestamp, ok.EndTimestamp) = (2_500, 52_500, 92_500, 93_000);
        var failed = new RequestResult { RequestId = "r-3-1", TimestampFrequency = Frequency, ScheduledTimestamp = 3_000, Status = RequestStatus.Failed, Reason = FailureReason.Http5xx };
        (failed.SentTimestamp, failed.EndTimestamp) = (3_000, 4_000);
        using (var writer = new RequestRecordWriter(path))
        {
            writer.OnRequestCompleted(stage, ok, RequestPhase.Measured);
            writer.OnRequestCompleted(stage, failed, RequestPhase.Warmup);
        }

        var records = await ReadAsync(path);

        Assert.Equal(2, records.Count);
        Assert.Equal(new RecordFields(3, true, "successful", 1.5, 50, 10, 90.5, 5), records[0]);
        Assert.Equal(new RecordFields(3, false, "failed", 2, null, null, 1, 0), records[1]);
    }

    [Theory]
    [InlineData("{\"stage\":0,\"status\":\"successful\"}\n{\"stage\":0,\"status\":\n", "request record line 2 is not valid JSON")]
    [InlineData("{\"stage\":0,\"status\":\"successful\"}\n\n[1,2]\n", "request record line 3 is not a JSON object")]
    [InlineData("{\"status\":\"successful\",\"e2eMs\":3}\n", "request record line 1 lacks its stage or status")]
    public async Task A_damaged_line_is_named(string text, string expected)
    {
        var path = Path.Combine(_dir, "bad.requests.jsonl.gz");
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_gzip_is_refused_as_such()
    {
        var path = Path.Combine(_dir, "plain.requests.jsonl.gz");
        await File.WriteAllTextAsync(path, "{\"stage\":0}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(path));

        Assert.Contains("not a gzip file of request records", error.Message, StringComparison.Ordinal);
    }
}
