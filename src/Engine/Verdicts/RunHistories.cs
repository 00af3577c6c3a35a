using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>The history of saved runs behind a report store.</summary>
internal static class RunHistories
{
    /// <summary>The runs <paramref name="store"/> keeps (an archive behind a local fallback: the archive's); null for a store without history.</summary>
    public static IRunHistory? Of(IReportStore store) => store switch
    {
        LocalReportStore local => new LocalRunHistory(local.Root),
        BlobReportStore blobs => new BlobRunHistory(blobs.Container),
        FallbackReportStore fallback => Of(fallback.Archive),
        _ => null,
    };
}
