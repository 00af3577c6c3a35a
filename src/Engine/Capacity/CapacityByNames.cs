using GuidellmFunctions.Engine.Configuration;

namespace GuidellmFunctions.Engine.Capacity;

/// <summary>Text names of <see cref="CapacityBy"/> as written in configs, flags and reports.</summary>
internal static class CapacityByNames
{
    /// <summary>Each value's written name.</summary>
    public static EnumNames<CapacityBy> Names { get; } = new(
        (CapacityBy.Concurrency, "concurrency", []),
        (CapacityBy.Rate, "rate", []));
}
