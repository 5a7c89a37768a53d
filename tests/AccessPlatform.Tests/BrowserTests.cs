using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>The real login page in Debian's Chromium (no browser download), with screenshots in the test output.</summary>
[Collection(PlatformCollection.Name)]
public sealed class BrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task A_user_signs_in_through_the_page_switches_language_and_signs_out()
    {
        var user = await platform.CreateUserAsync("browser");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        Assert.Equal(Resx.Text("en", "Login_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "1-login.png"), FullPage = true });

        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", "not-the-right-password");
        await page.ClickAsync("form:has(#password) button[type=submit]");
        Assert.Equal(Resx.Text("en", "Login_InvalidCredentials"), await page.InnerTextAsync("#login-error"));
        Assert.Equal("", await page.InputValueAsync("#password"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "2-wrong-password.png"), FullPage = true });

        await page.SelectOptionAsync("#culture", "de");
        await page.ClickAsync("form.language button[type=submit]");
        Assert.Equal(Resx.Text("de", "Login_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "3-german.png"), FullPage = true });

        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Contains(user.Username, await page.InnerTextAsync("#signed-in-as"));
        Assert.Equal("de", await page.GetAttributeAsync("html", "lang"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "4-signed-in.png"), FullPage = true });

        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "ap_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);

        await page.ClickAsync("#logout");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ap_session");
    }
}
