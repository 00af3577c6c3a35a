using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Metrics;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Aggregates the results of one stage in bounded memory. Requests sent during warmup are excluded at once; with a
/// cooldown, results wait in a queue until they are older than the cooldown, so those completing in the stage's last
/// <c>cooldown</c> seconds can be excluded once the end is known. Thread-safe.
/// </summary>
internal sealed class StageCollector
{
    private readonly Lock _lock = new();
    private readonly StageContext _stage;
    private readonly IReadOnlyList<IRunObserver> _observers;
    private readonly long _frequency;
    private readonly long _windowStart;
    private readonly long _cooldownTicks;
    private readonly Queue<RequestResult> _pending = new();
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errorMessages = new(StringComparer.Ordinal);
    private readonly Distribution _ttft = new();
    private readonly Distribution _ttfo = new();
    private bool _answeredAfterReasoning;
    private readonly Distribution _itl = new();
    private readonly Distribution _tpot = new();
    private readonly Distribution _e2e = new();
    private readonly Distribution _dispatch = new();
    private readonly Distribution _connect = new();
    private readonly Slo.SloTally? _slo;
    private readonly TurnStatistics _turns = new();
    private long _successful;
    private long _failed;
    private long _incomplete;
    private long _warmup;
    private long _cooldown;
    private long _promptTokens;
    private long _outputTokens;
    private long _promptTarget;
    private long _outputTarget;
    private long _usageSourced;
    private long _chunkSourced;
    private long _reasoningTokens;
    private long _reasoningReported;
    private long _failuresAll;

    /// <summary>Creates a collector for <paramref name="stage"/>.</summary>
    public StageCollector(StageContext stage, long timestampFrequency, IReadOnlyList<IRunObserver> observers)
    {
        ArgumentNullException.ThrowIfNull(stage);
        _stage = stage;
        _observers = observers;
        _frequency = timestampFrequency;
        _windowStart = stage.StartTimestamp + Ticks(stage.Plan.Warmup);
        _cooldownTicks = Ticks(stage.Plan.Cooldown);
        _slo = stage.Target.Settings.Get(Configuration.SettingsTable.Slo) is { } slo ? new Slo.SloTally(slo) : null;
    }

    /// <summary>Failures so far, warmup included (for <c>max_errors</c>).</summary>
    public long Failures => Interlocked.Read(ref _failuresAll);

    /// <summary>Adds a finished request; <paramref name="now"/> is the current timestamp.</summary>
    public void Add(RequestResult result, long now)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status == RequestStatus.Failed)
        {
            Interlocked.Increment(ref _failuresAll);
        }

        lock (_lock)
        {
            if (result.Status == RequestStatus.Failed && result.Error is { } error)
            {
                _errorMessages.TryAdd(FailureReasons.Format(result.Reason ?? FailureReason.Protocol), ServerMessages.Extract(error));
            }

            if (result.SentTimestamp < _windowStart)
            {
                _warmup++;
                Publish(result, RequestPhase.Warmup);
                result.ReleaseGaps();
            }
            else if (_cooldownTicks == 0 || result.Status == RequestStatus.Incomplete)
            {
                Commit(result);
            }
            else
            {
                _pending.Enqueue(result);
            }

            while (_pending.TryPeek(out var head) && head.EndTimestamp < now - _cooldownTicks)
            {
                Commit(_pending.Dequeue());
            }
        }
    }

    /// <summary>Closes the stage at <paramref name="end"/>: pending results completing in the cooldown are excluded.</summary>
    public BenchmarkSummary Complete(long end, ConcurrencyTracker concurrency)
    {
        ArgumentNullException.ThrowIfNull(concurrency);
        lock (_lock)
        {
            var windowEnd = Math.Max(_windowStart, end - _cooldownTicks);
            while (_pending.TryDequeue(out var result))
            {
                if (result.EndTimestamp <= windowEnd)
                {
                    Commit(result);
                }
                else
                {
                    _cooldown++;
                    Publish(result, RequestPhase.Cooldown);
                    result.ReleaseGaps();
                }
            }

            var seconds = Math.Max(1e-9, (windowEnd - _windowStart) / (double)_frequency);
            var (meanConcurrency, maxConcurrency) = concurrency.Measure(_windowStart, windowEnd);
            var source = (_usageSourced, _chunkSourced) switch
            {
                (0, 0) => "none",
                (_, 0) => "usage",
                (0, _) => "chunks",
                _ => "mixed",
            };

            return new BenchmarkSummary
            {
                Requests = new RequestCounts(_successful + _failed + _incomplete, _successful, _failed, _incomplete, _warmup, _cooldown),
                Errors = new SortedDictionary<string, long>(_errors, StringComparer.Ordinal),
                ErrorMessages = new SortedDictionary<string, string>(_errorMessages, StringComparer.Ordinal),
                Tokens = new TokenCounts(_promptTokens, _outputTokens, source, _promptTarget, _outputTarget) { Reasoning = _reasoningReported > 0 ? _reasoningTokens : null },
                TtftMs = _ttft.Summarize(),
                // Where no request reasoned before its answer, TTFO is TTFT again: the report keeps one of them.
                TtfoMs = _answeredAfterReasoning ? _ttfo.Summarize() : DistributionSummary.Empty,
                ItlMs = _itl.Summarize(),
                TpotMs = _tpot.Summarize(),
                E2eLatencyMs = _e2e.Summarize(),
                DispatchDelayMs = _dispatch.Summarize(),
                ConnectMs = _connect.Summarize(),
                Throughput = new ThroughputSummary(_successful / seconds, _outputTokens / seconds, (_promptTokens + _outputTokens) / seconds),
                Concurrency = new ConcurrencySummary(meanConcurrency, maxConcurrency),
                Slo = _slo?.Summarize(seconds),
                Turns = _turns.Summarize(),
            };
        }
    }

    /// <summary>Seconds of the measured window for a stage ending at <paramref name="end"/>.</summary>
    public double MeasuredSeconds(long end) => Math.Max(0, (Math.Max(_windowStart, end - _cooldownTicks) - _windowStart) / (double)_frequency);

    private void Commit(RequestResult result)
    {
        _dispatch.Record(result.DispatchDelayMs);
        if (result.ConnectMs is double connect and > 0)
        {
            _connect.Record(connect);
        }
        _slo?.Add(result);
        _turns.Record(result);
        switch (result.Status)
        {
            case RequestStatus.Successful:
                _successful++;
                _e2e.Record(result.E2eMs);
                if (result.TtftMs is { } ttft)
                {
                    _ttft.Record(ttft);
                }

                if (result.TtfoMs is { } ttfo)
                {
                    _ttfo.Record(ttfo);
                    _answeredAfterReasoning |= result.FirstAnswerTimestamp != result.FirstContentTimestamp;
                }

                if (result.TpotMs is { } tpot)
                {
                    _tpot.Record(tpot);
                }

                if (result.UsageReasoningTokens >= 0)
                {
                    _reasoningTokens += result.UsageReasoningTokens;
                    _reasoningReported++;
                }

                foreach (var gap in result.ItlMicros)
                {
                    _itl.Record(gap / 1000.0);
                }

                _promptTokens += result.PromptTokens;
                _outputTokens += result.OutputTokens;
                _promptTarget += result.PromptTokensTarget;
                _outputTarget += result.OutputTokensTarget;
                _ = result.OutputTokenSource switch
                {
                    TokenSource.Usage => _usageSourced++,
                    TokenSource.Chunks => _chunkSourced++,
                    _ => 0,
                };
                break;
            case RequestStatus.Failed:
                _failed++;
                var key = FailureReasons.Format(result.Reason ?? FailureReason.Protocol);
                _errors[key] = _errors.GetValueOrDefault(key) + 1;
                break;
            default:
                _incomplete++;
                break;
        }

        Publish(result, RequestPhase.Measured);
        result.ReleaseGaps();
    }

    private void Publish(RequestResult result, RequestPhase phase)
    {
        for (var i = 0; i < _observers.Count; i++)
        {
            _observers[i].OnRequestCompleted(_stage, result, phase);
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _frequency);
}
