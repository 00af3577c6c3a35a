namespace GuidellmFunctions.Engine.Load;

/// <summary>Builds the requests of a stage. Called concurrently; request <c>i</c> must not depend on call order.</summary>
internal interface IRequestSource
{
    /// <summary>Builds request <paramref name="index"/> of stage <paramref name="stage"/>.</summary>
    PreparedRequest Prepare(int stage, long index);
}
