namespace GuidellmFunctions.Engine.Export;

/// <summary>What became of one target's samples at one receiver, as written in the run report.</summary>
public sealed record ExportReport
{
    /// <summary>The receiver (credentials removed).</summary>
    public required string Receiver { get; init; }

    /// <summary>Samples the receiver accepted.</summary>
    public long SamplesDelivered { get; init; }

    /// <summary>Samples kept in the spool for the next run.</summary>
    public long SamplesSpooled { get; init; }

    /// <summary>Samples refused for good, with the receiver's reasons in <see cref="Errors"/>.</summary>
    public long SamplesRejected { get; init; }

    /// <summary>Spooled samples of earlier runs delivered before this run's.</summary>
    public long SamplesReplayed { get; init; }

    /// <summary>Distinct receiver reasons and errors, bounded.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
