using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// Source-generated JSON metadata for reports: camelCase, indented, enums as names. Metadata mode only: the generated
/// fast path writes <see cref="TargetReport.Settings"/> (extension data) as a nested object without a name.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Metadata,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
