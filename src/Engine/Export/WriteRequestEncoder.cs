using Google.Protobuf;
using GuidellmFunctions.Engine.Export.Prompb;
using Snappier;

namespace GuidellmFunctions.Engine.Export;

/// <summary>Encodes series as a remote_write 1.0 body: a protobuf <c>WriteRequest</c> compressed with snappy's block format.</summary>
internal static class WriteRequestEncoder
{
    /// <summary>The uncompressed protobuf of <paramref name="series"/> (what the spool keeps).</summary>
    public static byte[] Encode(IEnumerable<SeriesData> series, IEnumerable<MetricFamily>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var request = new WriteRequest();
        foreach (var s in series)
        {
            var ts = new TimeSeries();
            foreach (var (name, value) in s.Labels)
            {
                ts.Labels.Add(new Label { Name = name, Value = value });
            }

            foreach (var (timestamp, value) in s.Samples)
            {
                ts.Samples.Add(new Sample { Timestamp = timestamp, Value = value });
            }

            foreach (var (timestamp, histogram) in s.Histograms)
            {
                ts.Histograms.Add(ToProto(timestamp, histogram));
            }

            request.Timeseries.Add(ts);
        }

        foreach (var family in metadata ?? [])
        {
            request.Metadata.Add(new MetricMetadata { MetricFamilyName = family.Name, Help = family.Help, Type = family.Type switch
            {
                MetricKind.Counter => MetricMetadata.Types.MetricType.Counter,
                MetricKind.Gauge => MetricMetadata.Types.MetricType.Gauge,
                _ => MetricMetadata.Types.MetricType.Histogram,
            } });
        }

        return request.ToByteArray();
    }

    /// <summary>Snappy block compression, as the protocol requires (never the framed format).</summary>
    public static byte[] Compress(byte[] protobuf) => Snappy.CompressToArray(protobuf);

    /// <summary>Decodes a body back into series (for tests and the spool).</summary>
    public static IReadOnlyList<SeriesData> Decode(byte[] protobuf)
    {
        var request = WriteRequest.Parser.ParseFrom(protobuf);
        return [.. request.Timeseries.Select(t => new SeriesData(
            [.. t.Labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value))],
            [.. t.Samples.Select(s => (s.Timestamp, s.Value))])
        {
            Histograms = [.. t.Histograms.Select(h => (h.Timestamp, FromProto(h)))],
        })];
    }

    /// <summary>Number of samples (float and histogram) in a body.</summary>
    public static int CountSamples(byte[] protobuf) => WriteRequest.Parser.ParseFrom(protobuf).Timeseries.Sum(t => t.Samples.Count + t.Histograms.Count);

    private static Histogram ToProto(long timestamp, NativeHistogramSample h)
    {
        var proto = new Histogram
        {
            CountInt = h.Count, Sum = h.Sum, Schema = h.Schema, ZeroThreshold = h.ZeroThreshold, ZeroCountInt = h.ZeroCount, Timestamp = timestamp,
        };
        foreach (var (offset, length) in h.PositiveSpans)
        {
            proto.PositiveSpans.Add(new BucketSpan { Offset = offset, Length = length });
        }

        proto.PositiveDeltas.Add(h.PositiveDeltas);
        return proto;
    }

    private static NativeHistogramSample FromProto(Histogram h) => new(
        h.Schema, h.ZeroThreshold, h.ZeroCountInt, h.CountInt, h.Sum,
        [.. h.PositiveSpans.Select(s => (s.Offset, s.Length))], [.. h.PositiveDeltas]);
}
