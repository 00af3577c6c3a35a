using System.Buffers;
using System.Text;
using System.Text.Json;
using GuidellmFunctions.Simulator.Faults;
using GuidellmFunctions.Simulator.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.ML.Tokenizers;

namespace GuidellmFunctions.Simulator.Serving;

/// <summary>
/// Serves <c>/v1/chat/completions</c> and <c>/v1/completions</c> like vLLM: requests wait for one of <c>max_batch</c> slots,
/// the first token comes a prefill time after admission, the rest at the decode rate (slower as the batch fills), streamed
/// as vLLM streams them (a role chunk, content chunks, a finish chunk, a usage chunk, <c>[DONE]</c>).
/// </summary>
internal sealed class CompletionHandler
{
    private static readonly string[] Words = ["the", " model", " answers", " with", " tokens", " that", " arrive", " one", " by", " one", ",", " steady", " as", " rain", "."];
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));

    private readonly SimulatorOptions _options;
    private readonly SemaphoreSlim _batch;
    private readonly FaultInjector _faults;
    private readonly VllmMetrics _metrics;
    private readonly GroundTruth _truth;
    private readonly TimeProvider _time;
    private long _ids;

    public CompletionHandler(SimulatorOptions options, VllmMetrics metrics, GroundTruth truth, TimeProvider time)
    {
        if (options.CountPromptTokens)
        {
            // Loading the vocabulary takes hundreds of milliseconds: do it now, not on a request thread under load.
            _ = Tokenizer.Value;
        }

        _options = options;
        _batch = new SemaphoreSlim(options.MaxBatch, options.MaxBatch);
        _faults = new FaultInjector(options.Faults, options.Seed);
        _metrics = metrics;
        _truth = truth;
        _time = time;
    }

    public async Task HandleAsync(HttpContext context, bool chat)
    {
        var arrival = _time.GetTimestamp();
        var ct = context.RequestAborted;
        var requestId = context.Request.Headers["X-Request-Id"].ToString() is { Length: > 0 } rid ? rid : $"sim-{Interlocked.Increment(ref _ids)}";
        if (_options.ApiKey is { Length: > 0 } key && context.Request.Headers.Authorization.ToString() != "Bearer " + key)
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

        var promptTokens = _options.CountPromptTokens ? Tokenizer.Value.CountTokens(request.Prompt) : Math.Max(1, Encoding.UTF8.GetByteCount(request.Prompt) / 4);
        var outputTokens = request.MaxTokens is { } max ? (request.IgnoreEos ? max : Math.Min(max, _options.OutputTokens)) : _options.OutputTokens;

        _metrics.Queued();
        try
        {
            await _batch.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _metrics.LeftQueue();
            return;
        }

        var admitted = _time.GetTimestamp();
        _metrics.Admitted(Ms(arrival, admitted) / 1000.0);
        var run = new Generation(this, context, request, chat, requestId, arrival, admitted, promptTokens, outputTokens, fault);
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
            _batch.Release();
            run.Record();
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

    private sealed class Generation(CompletionHandler owner, HttpContext context, ParsedRequest request, bool chat, string requestId, long arrival, long admitted, int promptTokens, int outputTokens, FaultRule? fault)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly string _id = (chat ? "chatcmpl-" : "cmpl-") + requestId;
        private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private long _firstContent;
        private long _lastContent;
        private long _end;
        private int _chunks;
        private int _generated;
        private double _gapSumMs;

        public bool Aborted { get; set; }

        private TimeProvider Time => owner._time;

        public async Task ExecuteAsync()
        {
            var options = owner._options;
            var running = Math.Max(1, owner._metrics.Running);
            var itl = options.ItlMs * (1 + (options.ItlLoadFactor * (running - 1) / Math.Max(1, options.MaxBatch)));
            var perChunk = Math.Max(1, options.TokensPerChunk);
            var chunkCount = (outputTokens + perChunk - 1) / perChunk;
            var faultAt = fault is null ? -1 : chunkCount / 2;
            var ct = context.RequestAborted;
            var firstDue = admitted + Ticks(options.TtftMs);

            if (!request.Stream)
            {
                await DelayUntil(firstDue + Ticks(itl * Math.Max(0, outputTokens - 1)), ct).ConfigureAwait(false);
                _generated = outputTokens;
                _firstContent = _lastContent = Time.GetTimestamp();
                await WriteWholeAsync().ConfigureAwait(false);
                _end = Time.GetTimestamp();
                return;
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            if (chat)
            {
                await SendAsync(w => Chunk(w, role: true, content: string.Empty, finish: null), ct).ConfigureAwait(false);
            }

            for (var c = 0; c < chunkCount; c++)
            {
                if (c == faultAt)
                {
                    switch (fault!.Kind)
                    {
                        case FaultKind.Disconnect:
                            Aborted = true;
                            context.Abort();
                            return;
                        case FaultKind.Stall:
                            await Task.Delay(options.StallTime, Time, ct).ConfigureAwait(false);
                            break;
                        case FaultKind.ErrorObject:
                            await SendAsync(ErrorChunk, ct).ConfigureAwait(false);
                            await SendRawAsync("data: [DONE]\n\n"u8.ToArray(), ct).ConfigureAwait(false);
                            _end = Time.GetTimestamp();
                            return;
                        case FaultKind.NoDone:
                            _end = Time.GetTimestamp();
                            return;
                    }
                }

                var tokens = Math.Min(perChunk, outputTokens - _generated);
                await DelayUntil(firstDue + Ticks(itl * (long)c * perChunk), ct).ConfigureAwait(false);
                var text = Text(_generated, tokens);
                _generated += tokens;
                await SendAsync(w => Chunk(w, role: false, content: text, finish: null), ct).ConfigureAwait(false);
                var now = Time.GetTimestamp();
                if (_firstContent == 0)
                {
                    _firstContent = now;
                }
                else
                {
                    var gap = Time.GetElapsedTime(_lastContent, now).TotalMilliseconds;
                    _gapSumMs += gap;
                    owner._metrics.Token(gap / 1000.0, tokens);
                }

                if (_chunks == 0)
                {
                    owner._metrics.Token(-1, tokens);
                }

                _lastContent = now;
                _chunks++;
            }

            await SendAsync(w => Chunk(w, role: false, content: null, finish: request.IgnoreEos || request.MaxTokens is not null ? "length" : "stop"), ct).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                await SendAsync(UsageChunk, ct).ConfigureAwait(false);
            }

            await SendRawAsync("data: [DONE]\n\n"u8.ToArray(), ct).ConfigureAwait(false);
            _end = Time.GetTimestamp();
        }

        public void Record()
        {
            var end = _end == 0 ? Time.GetTimestamp() : _end;
            var ttft = _firstContent == 0 ? 0 : Time.GetElapsedTime(arrival, _firstContent).TotalMilliseconds;
            var e2e = Time.GetElapsedTime(arrival, end).TotalMilliseconds;
            var itlMean = _chunks > 1 ? _gapSumMs / (_chunks - 1) : 0;
            var tpot = _generated > 1 && _firstContent != 0 ? Time.GetElapsedTime(_firstContent, _lastContent).TotalSeconds / (_generated - 1) : 0;
            owner._metrics.Finished(promptTokens, _generated, ttft / 1000.0, e2e / 1000.0, tpot, byLength: true, aborted: Aborted || fault is not null);
            var outcome = fault?.Name ?? (Aborted ? "aborted" : "ok");
            owner._truth.Add(new GroundTruthRecord(requestId, outcome, Time.GetElapsedTime(arrival, admitted).TotalMilliseconds, ttft, itlMean, e2e, promptTokens, _generated, _chunks, arrival, _firstContent));
        }

        private long Ticks(double ms) => (long)(ms * Time.TimestampFrequency / 1000.0);

        private async Task DelayUntil(long due, CancellationToken ct)
        {
            // Timers round to milliseconds and may fire before the monotonic clock reaches the due time: a server
            // never answers before its time, so wait again (at least a millisecond) for whatever is left.
            TimeSpan wait;
            while ((wait = Time.GetElapsedTime(Time.GetTimestamp(), due)) > TimeSpan.Zero)
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, Time, ct).ConfigureAwait(false);
            }
        }

        private static string Text(int start, int count)
        {
            var builder = new StringBuilder(count * 8);
            for (var i = 0; i < count; i++)
            {
                builder.Append(Words[(start + i) % Words.Length]);
            }

            return builder.ToString();
        }

        private async Task SendAsync(Action<Utf8JsonWriter> write, CancellationToken ct)
        {
            _buffer.ResetWrittenCount();
            _buffer.Write("data: "u8);
            using (var json = new Utf8JsonWriter(_buffer))
            {
                write(json);
            }

            _buffer.Write("\n\n"u8);
            await context.Response.Body.WriteAsync(_buffer.WrittenMemory, ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }

        private async Task SendRawAsync(byte[] bytes, CancellationToken ct)
        {
            await context.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }

        private void Header(Utf8JsonWriter w, string objectName)
        {
            w.WriteStartObject();
            w.WriteString("id"u8, _id);
            w.WriteString("object"u8, objectName);
            w.WriteNumber("created"u8, _created);
            w.WriteString("model"u8, owner._options.Model);
        }

        private void Chunk(Utf8JsonWriter w, bool role, string? content, string? finish)
        {
            Header(w, chat ? "chat.completion.chunk" : "text_completion");
            w.WriteStartArray("choices"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            if (chat)
            {
                w.WriteStartObject("delta"u8);
                if (role)
                {
                    w.WriteString("role"u8, "assistant"u8);
                }

                if (content is not null)
                {
                    w.WriteString("content"u8, content);
                }

                w.WriteEndObject();
            }
            else
            {
                w.WriteString("text"u8, content ?? string.Empty);
            }

            w.WriteNull("logprobs"u8);
            if (finish is null)
            {
                w.WriteNull("finish_reason"u8);
            }
            else
            {
                w.WriteString("finish_reason"u8, finish);
            }

            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private void UsageChunk(Utf8JsonWriter w)
        {
            Header(w, chat ? "chat.completion.chunk" : "text_completion");
            w.WriteStartArray("choices"u8);
            w.WriteEndArray();
            WriteUsage(w);
            w.WriteEndObject();
        }

        private void WriteUsage(Utf8JsonWriter w)
        {
            w.WriteStartObject("usage"u8);
            w.WriteNumber("prompt_tokens"u8, promptTokens);
            w.WriteNumber("completion_tokens"u8, _generated);
            w.WriteNumber("total_tokens"u8, promptTokens + _generated);
            w.WriteEndObject();
        }

        private void ErrorChunk(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteString("object"u8, "error"u8);
            w.WriteString("message"u8, "injected fault error_object: engine step failed"u8);
            w.WriteString("type"u8, "InternalServerError"u8);
            w.WriteNumber("code"u8, 500);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private async Task WriteWholeAsync()
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer))
            {
                Header(w, chat ? "chat.completion" : "text_completion");
                w.WriteStartArray("choices"u8);
                w.WriteStartObject();
                w.WriteNumber("index"u8, 0);
                var text = Text(0, outputTokens);
                if (chat)
                {
                    w.WriteStartObject("message"u8);
                    w.WriteString("role"u8, "assistant"u8);
                    w.WriteString("content"u8, text);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteString("text"u8, text);
                }

                w.WriteString("finish_reason"u8, "length"u8);
                w.WriteEndObject();
                w.WriteEndArray();
                WriteUsage(w);
                w.WriteEndObject();
            }

            _chunks = 1;
            await context.Response.Body.WriteAsync(_buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
