namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>Tests that compare measured latencies with configured ones run alone, so other tests do not steal their CPU.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
