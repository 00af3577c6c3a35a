using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Metrics;

/// <summary>
/// The buckets of a <see cref="LogLinearHistogram"/> as a report carries them (<c>histogram</c> beside each statistic's
/// percentiles): the same buckets the percentiles were read from, so two snapshots merge exactly by adding counts.
/// Sparse: <see cref="Spans"/> lists runs of adjacent buckets as <c>[first bucket index, bucket count]</c>, and
/// <see cref="Counts"/> holds their counts one after another. Bucket <c>i</c> of layout <see cref="LogLinearMicros"/>
/// holds microsecond values <see cref="LogLinearHistogram.BucketLow"/>(i) up to, not including,
/// <see cref="LogLinearHistogram.BucketHigh"/>(i) (docs/metrics.md).
/// </summary>
[JsonConverter(typeof(HistogramSnapshotJsonConverter))]
public sealed record HistogramSnapshot
{
    /// <summary>
    /// The layout of <see cref="LogLinearHistogram"/>: values in microseconds, one bucket per microsecond below 1024 µs,
    /// then 512 buckets per power of two.
    /// </summary>
    public const string LogLinearMicros = "loglinear-us-512";

    /// <summary>The bucket layout; <see cref="LogLinearMicros"/>.</summary>
    public string Layout { get; init; } = LogLinearMicros;

    /// <summary>Runs of adjacent buckets, ascending and not overlapping: <c>[first bucket index, bucket count]</c>.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Spans { get; init; }

    /// <summary>The count of every bucket of every span, in order.</summary>
    public required IReadOnlyList<long> Counts { get; init; }

    /// <summary>Observations in all buckets.</summary>
    [JsonIgnore]
    public long Total => Counts.Sum();

    /// <summary>Every bucket with its count, in ascending order (empty buckets inside a span included).</summary>
    /// <exception cref="FormatException">The layout is not <see cref="LogLinearMicros"/>, or spans and counts disagree.</exception>
    public IEnumerable<(int Index, long Count)> Buckets()
    {
        Validate();
        var at = 0;
        foreach (var span in Spans)
        {
            for (var i = 0; i < span[1]; i++)
            {
                yield return (span[0] + i, Counts[at++]);
            }
        }
    }

    /// <summary>Checks the snapshot; the message names what is wrong.</summary>
    /// <exception cref="FormatException">The layout is unknown, a span is malformed, out of order or out of range, a count is negative, or spans and counts disagree.</exception>
    public void Validate()
    {
        if (!string.Equals(Layout, LogLinearMicros, StringComparison.Ordinal))
        {
            throw new FormatException($"histogram layout '{Layout}' is not {LogLinearMicros}");
        }

        long expected = 0;
        var next = 0;
        foreach (var span in Spans)
        {
            if (span is not { Count: 2 } || span[1] < 1 || span[0] < next || (long)span[0] + span[1] > LogLinearHistogram.BucketCount)
            {
                throw new FormatException($"histogram span [{string.Join(',', span ?? [])}] is not [first, length] in ascending order within 0..{LogLinearHistogram.BucketCount}");
            }

            next = span[0] + span[1];
            expected += span[1];
        }

        if (expected != Counts.Count)
        {
            throw new FormatException($"histogram spans cover {expected} buckets but {Counts.Count} counts are given");
        }

        if (Counts.Any(c => c < 0))
        {
            throw new FormatException("histogram counts must not be negative");
        }
    }
}
