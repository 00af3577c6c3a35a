using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Source-generated JSON metadata for reports: camelCase, indented, enums as names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
