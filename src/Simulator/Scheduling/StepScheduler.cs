using GuidellmFunctions.Simulator.Metrics;

namespace GuidellmFunctions.Simulator.Scheduling;

/// <summary>
/// The simulated engine, run the way vLLM's v1 scheduler runs a GPU: back-to-back steps, each giving every running
/// request its next token(s) and prefill chunks from a token budget, lasting what that work costs, on one timer.
/// <list type="bullet">
/// <item>Waiting requests are admitted in arrival order (preempted ones first) while the batch has room and, with a KV
/// limit, blocks for the whole sequence so far, reusing the prompt's cached prefix blocks.</item>
/// <item>An admitted request's prefill may start <see cref="SimulatorOptions.TtftMs"/> after its first admission; it then
/// gets chunks of the step's budget until its uncached tokens are computed, and the step that completes it yields its
/// first token. When prefill costs nothing it needs no step: the first token comes at that moment, so TTFT is exactly
/// the fixed part under any load.</item>
/// <item>A step lasts ITL × (1 + load factor × (decoding − 1) / max batch) × tokens per chunk when any request decodes,
/// plus the prefill cost per token of its prefill chunks, so a prefill delays the tokens of every request decoding
/// beside it.</item>
/// <item>A decoding request that needs a block when none is free preempts the newest running request (itself, if it is
/// the newest): its blocks are released and it waits, at the head of the queue, to be recomputed.</item>
/// </list>
/// Everything happens under one lock; a step that costs nothing completes at once, on the calling thread.
/// </summary>
/// <remarks>
/// Longer than the project's 400 lines on purpose: the admission, prefill, decode and preemption rules share the state
/// that one lock guards, and their invariants (blocks held, batch size, queue order) read best in one file.
/// </remarks>
internal sealed class StepScheduler : IDisposable
{
    private static readonly TimeSpan MinimumRearm = TimeSpan.FromMilliseconds(1);

    private readonly Lock _lock = new();
    private readonly LinkedList<EngineRequest> _waiting = new();
    private readonly LinkedList<EngineRequest> _running = new();
    private readonly TimeProvider _time;
    private readonly VllmMetrics _metrics;
    private readonly KvBlockPool? _kv;
    private readonly ITimer _timer;
    private readonly int _maxBatch;
    private readonly int _budget;
    private readonly int _perStep;
    private readonly long _fixedTicks;
    private readonly double _ticksPerMs;
    private readonly double _itlMs;
    private readonly double _loadFactor;
    private readonly double _prefillMsPerToken;
    private readonly long _maxLagTicks;
    private readonly bool _prefixCaching;
    private readonly bool _instantPrefill;
    private bool _stepInFlight;
    private long _stepEnd;
    private long _timerDue;
    private bool _disposed;

    public StepScheduler(SimulatorOptions options, VllmMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _metrics = metrics;
        _maxBatch = options.MaxBatch;
        _budget = options.MaxBatchedTokens > 0 ? options.MaxBatchedTokens : int.MaxValue;
        _perStep = Math.Max(1, options.TokensPerChunk);
        _ticksPerMs = time.TimestampFrequency / 1000.0;
        _fixedTicks = (long)(options.TtftMs * _ticksPerMs);
        _itlMs = options.ItlMs;
        _loadFactor = options.ItlLoadFactor;
        _prefillMsPerToken = options.PrefillMsPerToken;
        _instantPrefill = options.PrefillMsPerToken == 0;
        // A late timer (the machine busy, a GC pause) is caught up: the steps it missed run at once, so rates hold on
        // average, as each request's own schedule held them before. Beyond a second behind (the process was stopped),
        // the engine starts afresh rather than producing a burst of steps no GPU would.
        _maxLagTicks = (long)(1000 * _ticksPerMs);
        if (options.KvCacheBlocks > 0)
        {
            _kv = new KvBlockPool(options.KvCacheBlocks, options.BlockSize, options.PrefixCaching);
            _prefixCaching = options.PrefixCaching;
        }

        _timer = time.CreateTimer(static s => ((StepScheduler)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether prompts need block hashes (prefix caching with a KV limit).</summary>
    public bool HashesPrompts => _prefixCaching;

    /// <summary>The KV block size in tokens.</summary>
    public int BlockSize => _kv?.BlockSize ?? 16;

    /// <summary>Queues <paramref name="request"/> and lets the engine run.</summary>
    public void Submit(EngineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetTimestamp();
            request.State = RequestState.Waiting;
            _waiting.AddLast(request.Node);
            Admit(now);
            Pump(now, now);
            Publish();
        }
    }

    /// <summary>Takes <paramref name="request"/> out of the engine (its client left); nothing when it is done already.</summary>
    public void Abort(EngineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (request.State is RequestState.Finished or RequestState.Aborted)
            {
                return;
            }

            var now = _time.GetTimestamp();
            Remove(request);
            _metrics.Aborted();
            request.Complete(RequestState.Aborted);
            if (_disposed)
            {
                return;
            }

            Admit(now);
            Pump(now, now);
            Publish();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var list in (LinkedList<EngineRequest>[])[_waiting, _running])
            {
                while (list.First is { } node)
                {
                    list.RemoveFirst();
                    node.Value.Complete(RequestState.Aborted);
                }
            }
        }

        _timer.Dispose();
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (now < _timerDue)
            {
                // Timers round to milliseconds and can fire before the monotonic clock reaches their time (or for a time
                // since moved): nothing happens early, so wait again, at least a millisecond.
                var left = _time.GetElapsedTime(now, _timerDue);
                _timer.Change(left < MinimumRearm ? MinimumRearm : left, Timeout.InfiniteTimeSpan);
                return;
            }

            Pump(now, Behind(now, _timerDue));
            Publish();
        }
    }

    /// <summary>
    /// Brings the engine up to <paramref name="now"/>: ends the step in flight if it is due (at its due time: the engine keeps
    /// its own timeline, however late the timer fired), then runs steps from <paramref name="from"/>; mid-step, only
    /// prefills that cost nothing happen.
    /// </summary>
    private void Pump(long now, long from)
    {
        if (_stepInFlight)
        {
            if (_stepEnd > now)
            {
                if (_instantPrefill)
                {
                    PrefillReady(now);
                }

                ArmNext(now);
                return;
            }

            var end = _stepEnd;
            if (_instantPrefill)
            {
                PrefillReady(end);
            }

            _stepInFlight = false;
            Complete(end);
            Admit(end);
            from = Behind(now, end);
        }

        Run(now, from);
    }

    /// <summary>
    /// Runs steps from <paramref name="start"/> (the engine's time, at most <paramref name="now"/>): those already due at once,
    /// then arms the timer for the next end, or for the first prefill not yet ready when there is nothing to do.
    /// </summary>
    private void Run(long now, long start)
    {
        while (true)
        {
            if (_instantPrefill)
            {
                PrefillReady(start);
            }

            var budget = _budget;
            var decoding = 0;
            long prefillTokens = 0;
            long decodeTokens = 0;
            var earliestReady = long.MaxValue;
            for (var node = _running.First; node is not null && budget > 0;)
            {
                var request = node.Value;
                var next = node.Next;
                if (request.ReadyAt > start)
                {
                    earliestReady = Math.Min(earliestReady, request.ReadyAt);
                }
                else if (request.Computed < request.PrefillTarget)
                {
                    var chunk = Math.Min(request.PrefillTarget - request.Computed, budget);
                    request.Scheduled = chunk;
                    request.ScheduledPrefill = true;
                    budget -= chunk;
                    prefillTokens += chunk;
                }
                else
                {
                    var tokens = Math.Min(_perStep, request.OutputTokens - request.Generated);
                    if (tokens <= budget)
                    {
                        if (_kv is not null && !Grow(request, tokens))
                        {
                            // Preempted itself: every request after it went first, so nothing is left to schedule.
                            break;
                        }

                        request.Scheduled = tokens;
                        request.ScheduledPrefill = false;
                        budget -= tokens;
                        decodeTokens += tokens;
                        decoding++;
                        next = request.Node.Next;
                    }
                }

                node = next;
            }

            if (decoding == 0 && prefillTokens == 0)
            {
                if (earliestReady <= now)
                {
                    // Ready since (the engine's time trails the clock): the step starts when it became ready.
                    start = earliestReady;
                    continue;
                }

                ArmNext(now);
                return;
            }

            var ms = _prefillMsPerToken * prefillTokens;
            if (decoding > 0)
            {
                ms += _itlMs * (1 + (_loadFactor * (decoding - 1) / _maxBatch)) * _perStep;
            }

            _metrics.Step(prefillTokens + decodeTokens);
            _stepEnd = start + (long)(ms * _ticksPerMs);
            if (_stepEnd > now)
            {
                _stepInFlight = true;
                ArmNext(now);
                return;
            }

            var end = _stepEnd;
            if (_instantPrefill)
            {
                PrefillReady(end);
            }

            Complete(end);
            Admit(end);
            start = Behind(now, end);
        }
    }

    /// <summary>
    /// With a prefill cost of zero a prefill needs no step: every request ready by <paramref name="upTo"/> gets its first
    /// token when it became ready, so TTFT is exactly the fixed part; it decodes from the next step on.
    /// </summary>
    private void PrefillReady(long upTo)
    {
        bool finished;
        do
        {
            finished = false;
            for (var node = _running.First; node is not null;)
            {
                var request = node.Value;
                node = node.Next;
                if (request.Computed >= request.PrefillTarget || request.ReadyAt > upTo)
                {
                    continue;
                }

                request.Computed = request.PrefillTarget;
                _kv?.CacheComputed(request);
                Produce(request, Math.Min(_perStep, request.OutputTokens - request.Generated), request.ReadyAt);
                if (request.Generated >= request.OutputTokens)
                {
                    Finish(request, request.ReadyAt);
                    finished = true;
                }
                else
                {
                    request.Publish();
                }
            }

            // A finished request makes room; who is admitted now may be ready at once.
            if (finished)
            {
                Admit(upTo);
            }
        }
        while (finished);
    }

    /// <summary>Arms the timer for the step's end, or for the first prefill that will be ready (mid-step only when prefills cost nothing).</summary>
    private void ArmNext(long now)
    {
        var due = _stepInFlight ? _stepEnd : long.MaxValue;
        if (_instantPrefill || !_stepInFlight)
        {
            for (var node = _running.First; node is not null; node = node.Next)
            {
                var request = node.Value;
                if (request.Computed < request.PrefillTarget && request.ReadyAt < due)
                {
                    due = request.ReadyAt;
                }
            }
        }

        if (due != long.MaxValue)
        {
            Arm(due, now);
        }
    }

    /// <summary>The engine's time for what was due at <paramref name="due"/>, so timer delays do not add up; now when far behind.</summary>
    private long Behind(long now, long due) => now - due <= _maxLagTicks ? Math.Min(due, now) : now;

    private void Arm(long due, long now)
    {
        _timerDue = due;
        _timer.Change(due > now ? _time.GetElapsedTime(now, due) : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gives <paramref name="request"/> room for <paramref name="tokens"/> more, preempting from the newest; false when it was preempted itself.</summary>
    private bool Grow(EngineRequest request, int tokens)
    {
        var blocks = _kv!.BlocksFor(request.PromptTokens + request.Generated + tokens);
        while (!_kv.TryGrow(request, blocks))
        {
            var victim = _running.Last!.Value;
            _running.RemoveLast();
            _kv.Release(victim);
            victim.Computed = 0;
            victim.Scheduled = 0;
            victim.Preemptions++;
            victim.State = RequestState.Waiting;
            _waiting.AddFirst(victim.Node);
            _metrics.Preempted();
            if (victim == request)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ends the step in flight at <paramref name="now"/> (its due end): its prefill is computed, its tokens are out.</summary>
    private void Complete(long now)
    {
        for (var node = _running.First; node is not null;)
        {
            var request = node.Value;
            node = node.Next;
            var scheduled = request.Scheduled;
            if (scheduled == 0)
            {
                continue;
            }

            request.Scheduled = 0;
            if (request.ScheduledPrefill)
            {
                request.Computed += scheduled;
                _kv?.CacheComputed(request);
                if (request.Computed < request.PrefillTarget)
                {
                    continue;
                }

                scheduled = Math.Min(_perStep, request.OutputTokens - request.Generated);
            }

            Produce(request, scheduled, now);
            if (request.Generated >= request.OutputTokens)
            {
                Finish(request, now);
            }
            else
            {
                request.Publish();
            }
        }
    }

    private void Produce(EngineRequest request, int tokens, long now)
    {
        if (request.Generated == 0)
        {
            request.FirstTokenAt = now;
            _metrics.FirstToken(Seconds(request.Arrival, now), request.PromptTokens);
            _metrics.Generated(tokens, -1);
        }
        else
        {
            _metrics.Generated(tokens, Seconds(request.LastTokenAt, now));
        }

        request.Generated += tokens;
        request.Computed = request.PromptTokens + request.Generated;
        request.PrefillTarget = request.Computed;
        request.LastTokenAt = now;
    }

    private void Finish(EngineRequest request, long now)
    {
        Remove(request);
        _metrics.Finished(
            request.FinishReason,
            Seconds(request.Arrival, now),
            Seconds(request.AdmittedAt, request.FirstTokenAt),
            Seconds(request.FirstTokenAt, now),
            request.PromptTokens,
            request.Generated);
        request.Complete(RequestState.Finished);
    }

    /// <summary>Admits waiting requests in order while the batch and the KV cache have room for them.</summary>
    private void Admit(long now)
    {
        while (_waiting.First is { } node && _running.Count < _maxBatch)
        {
            var request = node.Value;
            var cached = 0;
            if (_kv is not null && !_kv.TryAdmit(request, out cached))
            {
                return;
            }

            _waiting.RemoveFirst();
            _running.AddLast(node);
            request.State = RequestState.Running;
            request.Computed = cached;
            request.PrefillTarget = request.PromptTokens + request.Generated;
            // The engine's time can trail the clock; nobody is admitted before it arrived.
            var at = Math.Max(now, request.Arrival);
            if (!request.WasAdmitted)
            {
                request.WasAdmitted = true;
                request.AdmittedAt = at;
                request.ReadyAt = at + _fixedTicks;
                request.CachedTokens = cached;
                _metrics.Admitted(Seconds(request.Arrival, at), request.PromptTokens, cached, _prefixCaching);
            }
            else
            {
                request.ReadyAt = at;
            }
        }
    }

    private void Remove(EngineRequest request)
    {
        request.Node.List?.Remove(request.Node);
        request.Scheduled = 0;
        _kv?.Release(request);
    }

    private void Publish() => _metrics.SetState(_running.Count, _waiting.Count, _kv?.Usage ?? 0);

    private double Seconds(long from, long to) => (to - from) / (double)_time.TimestampFrequency;
}
