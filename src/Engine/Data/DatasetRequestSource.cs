using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Data;

/// <summary>
/// Requests taken from the target's dataset: request i of a stage is the stage's i-th usable record (each stage starts
/// at the dataset's first record, in file order or the seed's shuffle, and goes round again when it needs more). A record
/// sends its system messages and first question; with <c>turns</c> above 1 in <c>data_spec</c>, up to that many of its
/// questions as a conversation carrying the server's own answers. A trace record sends a prompt of its length, made of
/// its hash id blocks. Records are read and counted ahead, off the dispatch path; a replay's arrivals come from the same
/// records. A shard k of N of a sharded run reads the records in the run's one order and takes every N-th usable one from
/// the k-th, so no two shards send the same record and together they send what one run would. Dispose it when the run ends.
/// </summary>
internal sealed class DatasetRequestSource : IRequestSource, IArrivalSource, IDisposable
{
    private readonly ResolvedTarget _target;
    private readonly DatasetReader _reader;
    private readonly TracePrompts _traces;
    private readonly TokenCounter _counter;
    private readonly string _runId;
    private readonly Lock _lock = new();
    private DatasetFeed? _feed;
    private int _stage = -1;
    private long _records;
    private long _filtered;

    private DatasetRequestSource(ResolvedTarget target, DatasetReader reader, PromptGenerator prompts, string runId)
    {
        _target = target;
        _reader = reader;
        _runId = runId;
        _traces = new TracePrompts(prompts, target.Settings.Seed, reader.Spec.BlockTokens);

        // Used only by the read-ahead thread (one at a time: a stage's feed is disposed before the next starts).
        _counter = prompts.NewCounter();
    }

    /// <summary>Opens <paramref name="target"/>'s dataset: its format is told and its first records examined.</summary>
    /// <exception cref="DatasetException">It cannot be read, its format cannot be told, or it is mostly malformed.</exception>
    public static DatasetRequestSource Open(ResolvedTarget target, PromptGenerator prompts, string runId, DatasetOpener opener, Microsoft.Extensions.Logging.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(opener);
        var spec = target.Settings.Get(SettingsTable.Dataset) ?? throw new ArgumentException("the target has no dataset", nameof(target));
        var reader = DatasetReader.Open(spec, opener, logger);
        if (target.Settings.Profile == ProfileKind.Replay && reader.Format is not (DatasetFormat.Mooncake or DatasetFormat.AzureTrace))
        {
            throw new DatasetException($"dataset {spec.Location} is {DatasetNames.Formats.Format(reader.Format)}: profile replay needs a trace with timestamps (mooncake or azure_trace)");
        }

        Diagnostics.DataLog.DatasetOpened(logger, spec.Location, DatasetNames.Formats.Format(reader.Format), DatasetNames.Orders.Format(spec.Order), target.Environment, target.Target.Name);
        return new DatasetRequestSource(target, reader, prompts, runId);
    }

    /// <inheritdoc />
    public PreparedRequest Prepare(int stage, long index)
    {
        var item = FeedFor(stage).Take(index);
        Interlocked.Increment(ref _records);
        var settings = _target.Settings;
        var requestId = $"{_runId}-{stage}-{index}";
        if (item.Turns.Count > 1)
        {
            return new ChatConversation(requestId, _target, requestId, item.Start, item.StartTokens, item.Turns.Count, turn => item.Turns[turn]).First();
        }

        var question = item.Turns[0];

        // The question as the file writes it goes into the body as it is: unescaping and escaping again a long prompt cost more than reading it.
        var body = item.QuestionJson is { } json && (settings.RequestType == RequestType.ChatCompletions || item.Start.Count == 0)
            ? RequestBodyBuilder.Build(settings.RequestType, _target.Target.Model, item.Start, json, question.OutputTokens, settings.IgnoreEos)
            : RequestBodyBuilder.Build(settings.RequestType, _target.Target.Model, [.. item.Start, new ChatMessage(ChatMessage.User, question.Text)], question.OutputTokens, settings.IgnoreEos);
        var request = new CompletionRequest(_target.Endpoint, body, requestId, _target.Credential, _target.CredentialHeader, _target.Target.Headers);
        return new PreparedRequest(request, item.StartTokens + question.Tokens, question.OutputTokens);
    }

    /// <inheritdoc />
    public IArrivalSchedule Arrivals(StagePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new TraceArrivals(FeedFor(plan.Index), _reader.Spec.TimeScale);
    }

    /// <summary>What was read so far, for the report.</summary>
    public DatasetReport Describe()
    {
        var spec = _reader.Spec;
        return new DatasetReport(spec.Name, spec.Location, DatasetNames.Formats.Format(_reader.Format), DatasetNames.Orders.Format(spec.Order), Interlocked.Read(ref _records), _reader.Malformed, _reader.MalformedLines, Interlocked.Read(ref _filtered));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _feed?.Dispose();
            _feed = null;
        }
    }

    private DatasetFeed FeedFor(int stage)
    {
        lock (_lock)
        {
            if (stage != _stage || _feed is null)
            {
                _feed?.Dispose();
                _feed = new DatasetFeed(token => Items(stage, token));
                _stage = stage;
            }

            return _feed;
        }
    }

    private IEnumerable<DatasetItem> Items(int stage, CancellationToken token)
    {
        var settings = _target.Settings;
        var replay = settings.Profile == ProfileKind.Replay;
        var (shard, shards) = _target.Shard is { Count: > 1 } s ? (s.Index - 1, s.Count) : (0, 1);
        var seed = shards > 1 ? Shards.ShardPlanner.RunSeed(settings.Seed, shard + 1) : settings.Seed;
        var index = 0L;
        var usable = 0L;
        for (var pass = 0; !token.IsCancellationRequested; pass++)
        {
            var before = usable;
            foreach (var record in _reader.Pass(pass, seed, fileOrder: replay, token))
            {
                if (Prepare(record, stage, index) is { } item)
                {
                    if (usable++ % shards == shard)
                    {
                        index++;
                        yield return item;
                    }
                }
                else if (pass == 0)
                {
                    Interlocked.Increment(ref _filtered);
                }
            }

            if (replay)
            {
                yield break;
            }

            if (usable == before)
            {
                throw new DatasetException($"dataset {_reader.Spec.Location}: no record has a prompt within min_prompt_tokens and max_prompt_tokens");
            }
        }
    }

    /// <summary>The item of <paramref name="record"/>, or null when its prompt is outside the token range.</summary>
    private DatasetItem? Prepare(DatasetRecord record, int stage, long index)
    {
        var spec = _reader.Spec;
        var settings = _target.Settings;
        var random = new Random(SyntheticRequestSource.Mix(settings.Seed, stage, index));
        if (record.IsTrace)
        {
            if (!InRange(record.InputLength))
            {
                return null;
            }

            var (text, tokens) = _traces.For(record, stage, index);
            var output = spec.OutputTokens == DatasetOutputLengths.Dataset && record.OutputTokens is { } n ? Cap(n) : DataSpecOutput(random);
            return new DatasetItem(index, [], 0, [new UserTurn(text, tokens, output)], record.TimestampMs);
        }

        var firstUser = record.Messages.ToList().FindIndex(m => m.Role == ChatMessage.User);
        var start = record.Messages.Take(firstUser).Where(m => m.Role == ChatMessage.System).ToList();
        var startTokens = start.Sum(m => _counter.Count(m.Content));
        var turns = new List<UserTurn>();
        var messages = record.Messages;
        for (var i = firstUser; i < messages.Count && turns.Count < Math.Max(1, settings.Data.Turns); i++)
        {
            if (messages[i].Role != ChatMessage.User)
            {
                continue;
            }

            var text = messages[i].Content;
            int tokens;
            if (turns.Count == 0)
            {
                // Only the first question is filtered; it bounds what the record sends first.
                tokens = spec.MaxPromptTokens is { } max ? _counter.Count(text, Math.Max(1, max - startTokens)) : _counter.Count(text);
                if (!InRange(startTokens + tokens))
                {
                    return null;
                }
            }
            else
            {
                tokens = _counter.Count(text);
            }

            var answer = i + 1 < messages.Count && messages[i + 1].Role == ChatMessage.Assistant ? messages[i + 1].Content : null;
            var output = spec.OutputTokens == DatasetOutputLengths.DataSpec ? DataSpecOutput(random)
                : answer is { Length: > 0 } ? Cap(Math.Max(1, _counter.Count(answer)))
                : turns.Count == 0 && record.OutputTokens is { } given ? Cap(given)
                : DataSpecOutput(random);
            turns.Add(new UserTurn(text, tokens, output));
        }

        return new DatasetItem(index, start, startTokens, turns, null, turns.Count == 1 ? record.QuestionJson : null);
    }

    private bool InRange(int tokens) =>
        (_reader.Spec.MinPromptTokens is not { } min || tokens >= min) && (_reader.Spec.MaxPromptTokens is not { } max || tokens <= max);

    private int DataSpecOutput(Random random) => Cap(_target.Settings.Data.OutputTokens.Sample(random));

    private int Cap(int output) => _target.Settings.MaxTokens is { } cap ? Math.Min(output, cap) : output;
}
