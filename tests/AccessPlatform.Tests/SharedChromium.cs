using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// One Playwright driver and one Debian Chromium for the whole test run. Each test leases the browser; the lease's
/// dispose closes the contexts (and so the pages) that test opened, and nothing else. Starting the driver and
/// the browser for every test cost about a second each.
/// </summary>
public static class SharedChromium
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? playwright;
    private static IBrowser? browser;

    public static async Task<Lease> LeaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            // A browser that crashed is replaced, so one test's crash does not fail the ones after it.
            if (browser is not { IsConnected: true })
            {
                if (playwright is null)
                {
                    playwright = await Playwright.CreateAsync();
                    // The driver and the browser end with the test run, not with a test.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                    {
                        browser?.CloseAsync().Wait(TimeSpan.FromSeconds(5));
                        playwright.Dispose();
                    };
                }
                browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = "/usr/bin/chromium",
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync"],
                });
            }
            return new Lease(browser);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>What a test does with its browser: open contexts and pages; dispose closes them.</summary>
    public sealed class Lease(IBrowser shared) : IAsyncDisposable
    {
        private readonly List<IBrowserContext> opened = [];

        public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null) => Track(await shared.NewContextAsync(options));

        public async Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null)
        {
            // A page in a context of its own (as IBrowser.NewPageAsync makes it): the lease closes that context.
            var page = await shared.NewPageAsync(options);
            Track(page.Context);
            return page;
        }

        public async ValueTask DisposeAsync()
        {
            List<IBrowserContext> contexts;
            lock (opened)
            {
                contexts = [.. opened];
                opened.Clear();
            }
            foreach (var context in contexts)
            {
                await context.CloseAsync();
            }
        }

        private IBrowserContext Track(IBrowserContext context)
        {
            lock (opened)
            {
                opened.Add(context);
            }
            return context;
        }
    }
}
