using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>The account security page in a real browser: reachable from the home page, accessible (axe, WCAG 2.1 AA).</summary>
[Collection(PlatformCollection.Name)]
public sealed class AccountSecurityBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("de-DE", "de")]
    public async Task The_security_page_is_linked_from_home_and_has_no_accessibility_violations(string locale, string language)
    {
        var user = await platform.CreateUserAsync("security-page", language: language);
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        await page.ClickAsync("#security-link");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
        Assert.Equal(Resx.Text("Login.Api/Resources/AccountSecurityResource", language, "Security_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"account-security-{language}.png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(page);
    }
}
