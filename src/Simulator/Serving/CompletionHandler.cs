using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Simulator.Faults;
using GuidellmFunctions.Simulator.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Simulator.Serving;

/// <summary>
/// Serves <c>/v1/chat/completions</c> and <c>/v1/completions</c> as vLLM's OpenAI server does: the request goes to the
/// engine (<see cref="StepScheduler"/>), the response headers go out at once, and each token is streamed when the engine
/// step that makes it ends (the chat role chunk with the first token, the finish reason with the last, then the usage
/// chunk and <c>[DONE]</c>).
/// </summary>
internal sealed class CompletionHandler
{
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));

    private readonly SimulatorOptions _options;
    private readonly StepScheduler _scheduler;
    private readonly FaultInjector _faults;
    private readonly GroundTruth _truth;
    private readonly TimeProvider _time;
    private long _ids;
    private long _received;

    public CompletionHandler(SimulatorOptions options, StepScheduler scheduler, GroundTruth truth, TimeProvider time)
    {
        if (options.CountPromptTokens)
        {
            // Loading the vocabulary takes hundreds of milliseconds: do it now, not on a request thread under load.
            _ = Tokenizer.Value;
        }

        _options = options;
        _scheduler = scheduler;
        _faults = new FaultInjector(options.Faults, options.Seed);
        _truth = truth;
        _time = time;
    }

    /// <summary>Completion requests received so far, refused ones included.</summary>
    public long Received => Interlocked.Read(ref _received);

    public async Task HandleAsync(HttpContext context, bool chat)
    {
        Interlocked.Increment(ref _received);
        var arrival = _time.GetTimestamp();
        var ct = context.RequestAborted;
        var requestId = context.Request.Headers["X-Request-Id"].ToString() is { Length: > 0 } rid ? rid : $"sim-{Interlocked.Increment(ref _ids)}";
        if (!_options.Authorized(context.Request.Headers.Authorization.ToString()))
        {
            await ErrorAsync(context, 401, "AuthenticationError", "invalid or missing API key").ConfigureAwait(false);
            return;
        }

        ParsedRequest? request;
        string? error;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct).ConfigureAwait(false);
            request = ParsedRequest.TryParse(doc.RootElement, chat, out error);
        }
        catch (JsonException ex)
        {
            request = null;
            error = "request body is not valid JSON: " + ex.Message;
        }

        if (request is null)
        {
            await ErrorAsync(context, 400, "BadRequestError", error!).ConfigureAwait(false);
            return;
        }

        if (request.Model is not null && request.Model != _options.Model)
        {
            await ErrorAsync(context, 404, "NotFoundError", $"The model `{request.Model}` does not exist.").ConfigureAwait(false);
            return;
        }

        var fault = _faults.Next();
        if (fault is { Kind: FaultKind.HttpStatus })
        {
            if (fault.StatusCode is 429 or 503)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            _truth.Add(new GroundTruthRecord(requestId, fault.Name, 0, 0, 0, Ms(arrival, _time.GetTimestamp()), 0, 0, 0));
            await ErrorAsync(context, fault.StatusCode, fault.StatusCode == 429 ? "RateLimitError" : "ServerError", $"injected fault {fault.Name}").ConfigureAwait(false);
            return;
        }

        if (fault is { Kind: FaultKind.SlowHeaders })
        {
            await Task.Delay(_options.StallTime, _time, ct).ConfigureAwait(false);
        }

        var (promptTokens, hashes) = Tokenize(request.Prompt);
        var maxModelLen = _options.EffectiveMaxModelLen;
        if (promptTokens + (request.MaxTokens ?? 1) > maxModelLen)
        {
            var message = request.MaxTokens is { } m
                ? $"This model's maximum context length is {maxModelLen} tokens. However, you requested {promptTokens + m} tokens ({promptTokens} in the messages, {m} in the completion). Please reduce the length of the messages or completion."
                : $"This model's maximum context length is {maxModelLen} tokens. However, your messages resulted in {promptTokens} tokens. Please reduce the length of the messages.";
            await ErrorAsync(context, 400, "BadRequestError", message).ConfigureAwait(false);
            return;
        }

        // Generation ends at the model's natural length (EOS), unless max_tokens or the context window come first.
        var limit = request.MaxTokens ?? (maxModelLen - promptTokens);
        var natural = request.IgnoreEos ? int.MaxValue : _options.OutputTokens;
        var outputTokens = Math.Min(natural, Math.Min(limit, maxModelLen - promptTokens));
        var finish = natural <= outputTokens ? FinishReason.Stop : FinishReason.Length;
        var engine = new EngineRequest(requestId, arrival, promptTokens, hashes, outputTokens, finish);
        _scheduler.Submit(engine);
        var run = new Generation(this, context, request, chat, engine, fault);
        try
        {
            await run.ExecuteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            run.Aborted = true;
        }
        finally
        {
            _scheduler.Abort(engine);
            run.Record();
            run.Dispose();
        }
    }

    private (int Count, ulong[] Hashes) Tokenize(string prompt)
    {
        if (_options.CountPromptTokens)
        {
            if (!_scheduler.HashesPrompts)
            {
                return (Math.Max(1, Tokenizer.Value.CountTokens(prompt)), []);
            }

            var ids = Tokenizer.Value.EncodeToIds(prompt);
            var span = ids is List<int> list ? CollectionsMarshal.AsSpan(list) : [.. ids];
            return (Math.Max(1, span.Length), PromptBlocks.Hash(span, _scheduler.BlockSize));
        }

        // Without the tokenizer, every 4 bytes of UTF-8 stand for a token, for hashing too.
        var length = Encoding.UTF8.GetByteCount(prompt);
        if (!_scheduler.HashesPrompts)
        {
            return (Math.Max(1, length / 4), []);
        }

        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(prompt, bytes);
            var tokens = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, written / 4 * 4));
            return (Math.Max(1, tokens.Length), PromptBlocks.Hash(tokens, _scheduler.BlockSize));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private double Ms(long from, long to) => _time.GetElapsedTime(from, to).TotalMilliseconds;

    private static async Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["error"] = new Dictionary<string, object> { ["object"] = "error", ["message"] = message, ["type"] = type, ["code"] = status },
        });
        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    /// <summary>One response: sends what the engine produces for its request, records what the server saw.</summary>
    private sealed class Generation(CompletionHandler owner, HttpContext context, ParsedRequest request, bool chat, EngineRequest engine, FaultRule? fault) : IDisposable
    {
        private readonly ChunkWriter _writer = new(chat, (chat ? "chatcmpl-" : "cmpl-") + engine.Id, owner._time.GetUtcNow().ToUnixTimeSeconds(), owner._options.Model, owner._options.ReasoningTokens);
        private long _firstContent;
        private long _lastContent;
        private long _end;
        private int _chunks;
        private int _pending;
        private int _sent;
        private double _gapSumMs;

        public bool Aborted { get; set; }

        private TimeProvider Time => owner._time;

        public async Task ExecuteAsync()
        {
            var ct = context.RequestAborted;
            using var wake = ct.UnsafeRegister(static s => ((EngineRequest)s!).Wake(), engine);
            if (!request.Stream)
            {
                while (!engine.IsDone)
                {
                    await engine.WaitAsync().ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }

                if (engine.State != RequestState.Finished)
                {
                    Aborted = true;
                    return;
                }

                _sent = engine.Produced;
                _chunks = 1;
                _firstContent = _lastContent = Time.GetTimestamp();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                _writer.Whole(_sent, Reason(), engine.PromptTokens, engine.CachedTokens);
                await context.Response.Body.WriteAsync(_writer.Written, ct).ConfigureAwait(false);
                _end = Time.GetTimestamp();
                return;
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            // vLLM's streaming response sends its headers when the request enters the engine, its first event with the first token.
            await context.Response.StartAsync(ct).ConfigureAwait(false);
            var perChunk = Math.Max(1, owner._options.TokensPerChunk);
            var faultAt = fault is null ? -1 : (engine.OutputTokens + perChunk - 1) / perChunk / 2;
            var chunkIndex = 0;
            while (true)
            {
                var done = engine.IsDone;
                var produced = engine.Produced;
                _writer.Clear();
                while (_sent < produced)
                {
                    if (chunkIndex == faultAt && await InjectAsync(ct).ConfigureAwait(false))
                    {
                        return;
                    }

                    if (chunkIndex == 0 && chat)
                    {
                        _writer.Role();
                    }

                    var tokens = Math.Min(perChunk, produced - _sent);
                    var last = done && engine.State == RequestState.Finished && _sent + tokens == produced;
                    _writer.Content(_sent, tokens, last ? Reason() : null);
                    _sent += tokens;
                    _chunks++;
                    _pending++;
                    chunkIndex++;
                }

                var finished = done && engine.State == RequestState.Finished;
                if (finished)
                {
                    if (request.IncludeUsage)
                    {
                        _writer.Usage(engine.PromptTokens, _sent, engine.CachedTokens);
                    }

                    _writer.Done();
                }

                if (!_writer.IsEmpty)
                {
                    await FlushAsync(ct).ConfigureAwait(false);
                }

                if (done)
                {
                    Aborted = !finished;
                    _end = Time.GetTimestamp();
                    return;
                }

                await engine.WaitAsync().ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }

        /// <summary>The request's fault, halfway through the stream; true when the response ends with it.</summary>
        private async Task<bool> InjectAsync(CancellationToken ct)
        {
            // What was made before the fault goes out first.
            if (!_writer.IsEmpty)
            {
                await FlushAsync(ct).ConfigureAwait(false);
                _writer.Clear();
            }

            switch (fault!.Kind)
            {
                case FaultKind.Disconnect:
                    Aborted = true;
                    context.Abort();
                    return true;
                case FaultKind.Stall:
                    await Task.Delay(owner._options.StallTime, Time, ct).ConfigureAwait(false);
                    return false;
                case FaultKind.ErrorObject:
                    _writer.Error("injected fault error_object: engine step failed");
                    _writer.Done();
                    await context.Response.Body.WriteAsync(_writer.Written, ct).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    _end = Time.GetTimestamp();
                    return true;
                case FaultKind.NoDone:
                    _end = Time.GetTimestamp();
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Sends what is written; the first and last content flush times are the server's own record of TTFT and ITL.</summary>
        private async Task FlushAsync(CancellationToken ct)
        {
            await context.Response.Body.WriteAsync(_writer.Written, ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            if (_pending == 0)
            {
                return;
            }

            _pending = 0;
            var now = Time.GetTimestamp();
            if (_firstContent == 0)
            {
                _firstContent = now;
            }
            else
            {
                _gapSumMs += Time.GetElapsedTime(_lastContent, now).TotalMilliseconds;
            }

            _lastContent = now;
        }

        private string Reason() => engine.FinishReason == FinishReason.Length ? "length" : "stop";

        public void Record()
        {
            var end = _end == 0 ? Time.GetTimestamp() : _end;
            var ttft = _firstContent == 0 ? 0 : Time.GetElapsedTime(engine.Arrival, _firstContent).TotalMilliseconds;
            var e2e = Time.GetElapsedTime(engine.Arrival, end).TotalMilliseconds;
            var itlMean = _chunks > 1 ? _gapSumMs / (_chunks - 1) : 0;
            var queued = Time.GetElapsedTime(engine.Arrival, engine.WasAdmitted ? engine.AdmittedAt : end).TotalMilliseconds;
            var outcome = fault?.Name ?? (Aborted ? "aborted" : "ok");
            owner._truth.Add(new GroundTruthRecord(engine.Id, outcome, queued, ttft, itlMean, e2e, engine.PromptTokens, _sent, _chunks, engine.Arrival, _firstContent, engine.CachedTokens, engine.Preemptions));
        }

        public void Dispose() => _writer.Dispose();
    }
}
