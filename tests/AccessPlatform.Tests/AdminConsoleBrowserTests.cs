using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// The admin console as one console: every admin page, whichever service serves it (Login.Api, or Sso.Api for
/// /admin/sso), has the same layout, navigation and language selector, passes axe, and fits a phone. Screenshots of
/// each page at desktop (1280) and phone (390) widths, in English and German, go to screenshots/.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminConsoleBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static readonly int[] Widths = [1280, 390];

    [Fact]
    public async Task Every_admin_page_shares_one_layout_in_english_and_german_at_desktop_and_phone_widths()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("console-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("console-user", account: account);
        var pages = new (string Name, string Path)[]
        {
            ("users", "/admin/users"), ("profile", $"/admin/users/{user.Id}"), ("teams", "/admin/teams"),
            ("audit", "/admin/audit"), ("security", "/admin/security"), ("sso", "/admin/sso"),
        };
        await using var browser = await SharedChromium.LeaseAsync();
        Directory.CreateDirectory(Screenshots);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/login"));
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // The navigation Login.Api renders is the one Sso.Api renders (same items, same labels, same order).
        await page.GotoAsync(Url("/admin/users"));
        var loginNav = await NavigationAsync(page);
        await page.GotoAsync(Url("/admin/sso"));
        Assert.Equal(loginNav, await NavigationAsync(page));
        // The shared stylesheet (AdminUi's static web asset) reaches the page Sso.Api rendered.
        Assert.True(await page.EvaluateAsync<bool>(
            "() => [...document.styleSheets].some(s => (s.href || '').endsWith('/_content/AdminUi/admin.css') && s.cssRules.length > 0)"));
        Assert.Equal(new[] { "/admin/users", "/admin/teams", "/admin/audit", "/admin/security", "/admin/sso", "/" }, loginNav.Select(n => n.Href));
        Assert.Equal("page", await page.GetAttributeAsync("#nav-sso", "aria-current"));

        foreach (var language in new[] { "en", "de" })
        {
            if (language == "de")
            {
                // The selector of the page Sso.Api served switches the whole console (the culture cookie both services read).
                await page.GotoAsync(Url("/admin/sso"));
                await page.SelectOptionAsync("#culture", "de");
                await page.ClickAsync("#language-form button[type=submit]");
                await page.WaitForFunctionAsync("document.documentElement.lang === 'de'");
                Assert.Equal(new Uri(Url("/admin/sso")).AbsolutePath, new Uri(page.Url).AbsolutePath);
            }
            foreach (var (name, path) in pages)
            {
                foreach (var width in Widths)
                {
                    await page.SetViewportSizeAsync(width, 900);
                    var response = await page.GotoAsync(Url(path));
                    Assert.True(response!.Ok, $"{path}: {response.Status}");
                    Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
                    Assert.True(await page.Locator("#admin-nav").IsVisibleAsync(), $"{path}: no admin navigation");
                    Assert.True(await page.Locator("#culture").IsVisibleAsync(), $"{path}: no language selector");
                    Assert.Equal(3, await page.Locator("footer a").CountAsync());
                    Assert.Equal(Resx.Text("AdminUi/Resources/AdminUiResource", language, "Nav_Users"), (await page.InnerTextAsync("#nav-users")).Trim());
                    Assert.Equal(Resx.Text("AdminUi/Resources/AdminUiResource", language, "Nav_Sso"), (await page.InnerTextAsync("#nav-sso")).Trim());
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"admin-{name}-{width}-{language}.png"), FullPage = true });
                    var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
                    var (scrollWidth, innerWidth) = (widths[0], widths[1]);
                    Assert.True(scrollWidth <= innerWidth, $"{path} at {width} px ({language}) scrolls sideways: {scrollWidth} > {innerWidth}");
                    await Accessibility.AssertNoViolationsAsync(page);
                }
            }
            // Page bodies speak the language too, not only the layout.
            await page.GotoAsync(Url("/admin/audit"));
            Assert.Equal(Resx.Text("Login.Api/Resources/AdminResource", language, "Audit_Title"), (await page.InnerTextAsync("h1")).Trim());
            Assert.Contains(Resx.Text("Login.Api/Resources/AdminResource", language, "Event_login.succeeded"), await page.InnerTextAsync("#audit"));
        }
    }

    private string Url(string path) => new Uri(platform.GatewayAddress, path).ToString();

    private static async Task<List<(string Href, string Label)>> NavigationAsync(IPage page)
    {
        var links = page.Locator("#admin-nav a");
        var result = new List<(string, string)>();
        for (var i = 0; i < await links.CountAsync(); i++)
        {
            result.Add(((await links.Nth(i).GetAttributeAsync("href"))!, (await links.Nth(i).InnerTextAsync()).Trim()));
        }
        return result;
    }
}
