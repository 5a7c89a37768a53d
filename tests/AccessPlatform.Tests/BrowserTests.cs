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
        await using var browser = await SharedChromium.LeaseAsync();
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

    [Fact]
    public async Task A_new_device_walks_through_the_emailed_code_page()
    {
        var user = await platform.CreateUserAsync("browser2fa", trustDevice: false);
        await using var browser = await SharedChromium.LeaseAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        Assert.Equal(Resx.Text("en", "Otp_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "5-choose-channel.png"), FullPage = true });

        await page.CheckAsync("input[value=email]");
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("#code");
        Assert.Contains("***@example.test", await page.InnerTextAsync("#code-intro"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "6-enter-code.png"), FullPage = true });

        await page.FillAsync("#code", "000000" == await CodeAsync(user) ? "111111" : "000000");
        await page.ClickAsync("#verify");
        Assert.Equal(Resx.Text("en", "Otp_Invalid"), await page.InnerTextAsync("#code-error"));

        await page.FillAsync("#code", await CodeAsync(user));
        await page.ClickAsync("#verify");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Contains(user.Username, await page.InnerTextAsync("#signed-in-as"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "7-signed-in-after-code.png"), FullPage = true });
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name.StartsWith("ap_device_") && c.HttpOnly);
    }

    private async Task<string> CodeAsync(TestUser user)
    {
        var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your sign-in code");
        return System.Text.RegularExpressions.Regex.Match(email.PlainText, @"\b\d{6}\b").Value;
    }
}
