namespace GuidellmFunctions.Engine.Tests.Support;

/// <summary>One headless Chromium for every test of a class (xunit makes a class instance per test).</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public HeadlessChromium Browser { get; private set; } = null!;

    public async Task InitializeAsync() => Browser = await HeadlessChromium.StartAsync();

    public async Task DisposeAsync() => await Browser.DisposeAsync();
}
