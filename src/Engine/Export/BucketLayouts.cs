using System.Globalization;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The classic histograms' bucket boundaries. The default layouts put a boundary at every step of a ladder whose
/// neighbours are at most 10% apart, over the range where the quantiles must be read, so that
/// <c>histogram_quantile</c>, which interpolates inside a bucket, is within 10% of the true quantile there. Every
/// boundary of the Go runner and of vLLM's own histogram is kept, so <c>le="..."</c> queries written for either still
/// work.
/// </summary>
internal static class BucketLayouts
{
    /// <summary>
    /// The ladder's steps within each decade: each is at most 10% above the one before (and 10 at most 4.2% above 9.6),
    /// and every boundary the Go runner and vLLM use between 10 ms and 10 min is one of them.
    /// </summary>
    public static IReadOnlyList<decimal> Steps { get; } =
        [1m, 1.1m, 1.2m, 1.3m, 1.4m, 1.5m, 1.6m, 1.75m, 1.9m, 2m, 2.2m, 2.4m, 2.5m, 2.75m, 3m, 3.25m, 3.5m, 3.75m, 4m, 4.4m, 4.8m, 5m, 5.5m, 6m, 6.5m, 7m, 7.5m, 8m, 8.8m, 9.6m];

    /// <summary>The largest ratio of two neighbouring boundaries inside a layout's fine range.</summary>
    public const double MaxStep = 1.1;

    /// <summary>The Go runner's TTFT buckets.</summary>
    public static IReadOnlyList<double> GoRunnerTtft { get; } = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The Go runner's ITL buckets (also this runner's TPOT buckets before the fine layouts).</summary>
    public static IReadOnlyList<double> GoRunnerItl { get; } = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    /// <summary>The Go runner's E2E latency buckets.</summary>
    public static IReadOnlyList<double> GoRunnerE2e { get; } = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];

    /// <summary>vLLM's <c>vllm:time_to_first_token_seconds</c> buckets.</summary>
    public static IReadOnlyList<double> VllmTtft { get; } =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];

    /// <summary>vLLM's <c>vllm:inter_token_latency_seconds</c> and <c>vllm:time_per_output_token_seconds</c> buckets.</summary>
    public static IReadOnlyList<double> VllmTokenGap { get; } =
        [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    /// <summary>vLLM's <c>vllm:e2e_request_latency_seconds</c> (and queue, prefill, decode time) buckets.</summary>
    public static IReadOnlyList<double> VllmRequest { get; } =
        [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    /// <summary>Time to a first token or answer (TTFT, and the time to first answer token): fine from 10 ms to 60 s.</summary>
    public static IReadOnlyList<double> FirstToken { get; } = Fine(0.01m, 60m, GoRunnerTtft, VllmTtft);

    /// <summary>Gaps between tokens (ITL, TPOT): fine from 1 ms to 60 s, since a token gap is a decade below a first token.</summary>
    public static IReadOnlyList<double> TokenGap { get; } = Fine(0.001m, 60m, GoRunnerItl, VllmTokenGap);

    /// <summary>Whole requests (E2E latency): fine from 10 ms to 10 min.</summary>
    public static IReadOnlyList<double> Request { get; } = Fine(0.01m, 600m, GoRunnerE2e, VllmRequest);

    /// <summary>Dispatch delay (generator lateness), read as "is it near zero", not by quantile.</summary>
    public static IReadOnlyList<double> DispatchDelay { get; } = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    /// <summary>Every ladder boundary from <paramref name="from"/> to <paramref name="to"/>, and every one of <paramref name="kept"/>, ascending.</summary>
    public static IReadOnlyList<double> Fine(decimal from, decimal to, params IReadOnlyList<double>[] kept)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        var bounds = new SortedSet<double>(kept.SelectMany(k => k));
        var decade = 1m;
        while (decade > from)
        {
            decade /= 10;
        }

        while (decade * 10 <= from)
        {
            decade *= 10;
        }

        for (; decade <= to; decade *= 10)
        {
            foreach (var step in Steps)
            {
                var bound = step * decade;
                if (bound >= from && bound <= to)
                {
                    // Through decimal text, so 1.1 x 0.01 is the double nearest 0.011 and its le label reads "0.011".
                    bounds.Add(double.Parse(bound.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                }
            }
        }

        return [.. bounds];
    }
}
