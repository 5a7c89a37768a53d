using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// "Reset second factors" on the user's profile in Chromium: with an old login the button first asks for the
/// manager's password and comes back to the profile (sudo mode, ASVS 7.5.1); the second press resets. axe on the profile.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminResetSecondFactorsBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", "admin");

    [Fact]
    public async Task Reset_second_factors_asks_for_the_managers_password_when_the_login_is_old_then_resets()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("ui-reset-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("ui-reset-user", account: account);
        await platform.GenerateRecoveryCodesAsync(user);
        await using var browser = await SharedChromium.LeaseAsync();
        Directory.CreateDirectory(Screenshots);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        var profile = $"/admin/users/{user.Id}";
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            await page.GotoAsync(new Uri(platform.GatewayAddress, profile).ToString());
            Assert.Equal("10", await page.InnerTextAsync("#profile-recovery-codes"));
            await Accessibility.AssertNoViolationsAsync(page);
            // Destructive: the first press only asks (nothing changes), the confirmation acts.
            await page.ClickAsync("#reset-second-factors");
            await page.WaitForSelectorAsync("#confirm");
            Assert.Equal("10", (await platform.UserRecoveryCodesLeftAsync(user)).ToString());
            await page.ClickAsync("#confirm-action");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/reauthenticate");
            Assert.Equal("10", (await platform.UserRecoveryCodesLeftAsync(user)).ToString());
            await page.FillAsync("#password", manager.Password);
            await page.ClickAsync("#reauthenticate");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == profile);

            // Back on the confirmation after the password: confirming again acts.
            await page.ClickAsync("#confirm-action");
            await page.WaitForSelectorAsync("#admin-message");
            Assert.Equal("The user's second factors were reset and the user was signed out everywhere.", await page.InnerTextAsync("#admin-message"));
            Assert.Equal("0", await page.InnerTextAsync("#profile-recovery-codes"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "reset-second-factors.png"), FullPage = true });
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text(RecoveryCodeTestSupport.Resource, "en", "Email_FactorsReset_Subject"));
    }
}
