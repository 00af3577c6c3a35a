using System.Text.Json.Serialization;
using GuidellmFunctions.Engine.Metrics;

namespace GuidellmFunctions.Engine.Tests.Metrics;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DistributionSummary))]
[JsonSerializable(typeof(HistogramSnapshot))]
internal sealed partial class ReportJsonTestContext : JsonSerializerContext;
