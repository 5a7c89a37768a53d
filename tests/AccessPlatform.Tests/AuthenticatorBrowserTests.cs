using Microsoft.Playwright;
using OtpNet;

namespace AccessPlatform.Tests;

/// <summary>The authenticator page in Debian's Chromium: it asks for the password when the login is old (ASVS 7.5.1).</summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthenticatorBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task The_authenticator_page_asks_for_the_password_first_when_the_login_is_old_then_enrols_and_removes()
    {
        var user = await platform.CreateUserAsync("browser-totp", language: "de");
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/authenticator").ToString());
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/reauthenticate");
            Assert.Equal(Resx.Text("de", "Reauth_Title"), await page.InnerTextAsync("h1"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "totp-1-reauthenticate.png"), FullPage = true });

            await page.FillAsync("#password", "not-the-password");
            await page.ClickAsync("#reauthenticate");
            Assert.Equal(Resx.Text("de", "Reauth_WrongPassword"), await page.InnerTextAsync("#reauth-error"));
            await page.FillAsync("#password", user.Password);
            await page.ClickAsync("#reauthenticate");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/authenticator");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "totp-2-scan.png"), FullPage = true });

            var totp = new Totp(Base32Encoding.ToBytes(await page.InnerTextAsync("#totp-secret")));
            await page.FillAsync("#code", totp.ComputeTotp());
            await page.ClickAsync("#confirm");
            await page.WaitForSelectorAsync("#totp-enabled");
            await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text("de", "Email_TotpEnrolled_Subject"));

            await page.ClickAsync("#remove");
            await page.WaitForSelectorAsync("#totp-secret");
            await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text("de", "Email_TotpRemoved_Subject"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "totp-3-removed.png"), FullPage = true });
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }
}
