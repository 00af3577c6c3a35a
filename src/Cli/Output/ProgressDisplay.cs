using System.Collections.Concurrent;
using System.Globalization;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Spectre.Console;

namespace GuidellmFunctions.Cli.Output;

/// <summary>
/// Live progress of a run: a table redrawn in place on a terminal, or one plain line per target every few seconds
/// when output is redirected (CI logs, Functions, Kubernetes).
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TargetProgress> _targets = new(StringComparer.Ordinal);
    private readonly IAnsiConsole _console;
    private readonly bool _live;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressDisplay(IAnsiConsole console, bool live, TimeProvider time)
    {
        _console = console;
        _live = live;
        _time = time;
        _loop = live ? Task.Run(LiveLoopAsync) : Task.Run(PlainLoopAsync);
    }

    /// <summary>The observer for <paramref name="target"/>.</summary>
    public IRunObserver For(ResolvedTarget target)
    {
        var progress = new TargetProgress($"{target.Environment}/{target.Target.Name}", _time);
        _targets[progress.Name] = progress;
        return progress;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LiveLoopAsync()
    {
        await _console.Live(Render()).AutoClear(true).StartAsync(async ctx =>
        {
            while (!_stop.IsCancellationRequested)
            {
                ctx.UpdateTarget(Render());
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), _time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }).ConfigureAwait(false);
    }

    private async Task PlainLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            foreach (var t in _targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                _console.WriteLine(t.Line());
            }
        }
    }

    private Table Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("guidellm-runner");
        foreach (var column in (string[])["Target", "Stage", "Elapsed", "Sent", "OK", "Failed", "In flight", "Req/s"])
        {
            table.AddColumn(column);
        }

        foreach (var t in _targets.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            table.AddRow(t.Cells());
        }

        return table;
    }

    private sealed class TargetProgress(string name, TimeProvider time) : IRunObserver
    {
        private StageContext? _stage;
        private long _sent;
        private long _ok;
        private long _failed;

        public string Name => name;

        public void OnStageStarted(StageContext stage)
        {
            Interlocked.Exchange(ref _sent, 0);
            Interlocked.Exchange(ref _ok, 0);
            Interlocked.Exchange(ref _failed, 0);
            Volatile.Write(ref _stage, stage);
        }

        public void OnRequestStarted(StageContext stage) => Interlocked.Increment(ref _sent);

        public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
        {
            if (result.Status == RequestStatus.Successful)
            {
                Interlocked.Increment(ref _ok);
            }
            else if (result.Status == RequestStatus.Failed)
            {
                Interlocked.Increment(ref _failed);
            }
        }

        public void OnStageCompleted(StageContext stage, BenchmarkReport report)
        {
        }

        public string[] Cells()
        {
            var stage = Volatile.Read(ref _stage);
            if (stage is null)
            {
                return [Markup.Escape(name), "starting", "", "", "", "", "", ""];
            }

            var elapsed = time.GetElapsedTime(stage.StartTimestamp).TotalSeconds;
            var ok = Interlocked.Read(ref _ok);
            return
            [
                Markup.Escape(name),
                Markup.Escape(StageLabel(stage.Plan)),
                F(elapsed, "0.0") + "s",
                Interlocked.Read(ref _sent).ToString(CultureInfo.InvariantCulture),
                ok.ToString(CultureInfo.InvariantCulture),
                Interlocked.Read(ref _failed) is var f and > 0 ? $"[red]{f}[/]" : "0",
                stage.InFlight().ToString(CultureInfo.InvariantCulture),
                F(elapsed > 0 ? ok / elapsed : 0, "0.00"),
            ];
        }

        public string Line()
        {
            var stage = Volatile.Read(ref _stage);
            if (stage is null)
            {
                return $"{name}: starting";
            }

            var elapsed = time.GetElapsedTime(stage.StartTimestamp).TotalSeconds;
            return $"{name} stage {stage.Plan.Index} {StageLabel(stage.Plan)} [{F(elapsed, "0.0")}s]: sent {Interlocked.Read(ref _sent)}, ok {Interlocked.Read(ref _ok)}, failed {Interlocked.Read(ref _failed)}, in flight {stage.InFlight()}";
        }

        private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>A short label such as <c>constant@2.5/s</c> or <c>concurrent×8</c>.</summary>
    public static string StageLabel(StagePlan plan) => plan.Kind switch
    {
        ProfileKind.Constant or ProfileKind.Poisson => $"{ProfileNames.Format(plan.Kind)}@{plan.Rate!.Value.ToString("0.###", CultureInfo.InvariantCulture)}/s",
        ProfileKind.Synchronous => "synchronous",
        ProfileKind.Replay => "replay",
        _ => $"{ProfileNames.Format(plan.Kind)}x{plan.Streams}",
    };
}
