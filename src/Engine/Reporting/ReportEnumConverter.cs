using System.Text.Json.Serialization;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>Reads and writes a report enum by its <see cref="ReportNames"/> name; numbers are refused.</summary>
/// <typeparam name="T">The enum.</typeparam>
internal sealed class ReportEnumConverter<T>() : JsonStringEnumConverter<T>(ReportNames.Policy, allowIntegerValues: false)
    where T : struct, Enum;
