namespace GuidellmFunctions.Engine.Tests.Reporting.Html;

/// <summary>The page tests share one set of reports (<see cref="ReportFixtures"/>), made once.</summary>
[CollectionDefinition(Name)]
public sealed class ReportPagesCollection : ICollectionFixture<ReportFixtures>
{
    public const string Name = "report-pages";
}
