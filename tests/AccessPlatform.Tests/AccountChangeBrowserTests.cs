using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// The password, email and phone pages in a real browser, reached from the security page, each accessible (axe,
/// WCAG 2.1 AA) in English and German; the email change finished from the link in the new mailbox.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class AccountChangeBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static string S(string language, string key) => Resx.Text("Login.Api/Resources/AccountChangeResource", language, key);

    [Theory]
    [InlineData("en-US", "en", "+385911230331")]
    [InlineData("de-DE", "de", "+385911230332")]
    public async Task The_password_email_and_phone_pages_change_the_account_and_have_no_accessibility_violations(string locale, string language, string newPhone)
    {
        var user = await platform.CreateUserAsync("change-pages", language: language);
        var newPassword = PasswordResetTestSupport.StrongPassword();
        var newEmail = $"browser-{Guid.NewGuid():N}@example.test";
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);
        async Task ShotAndAxeAsync(string name)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}-{language}.png"), FullPage = true });
            await Accessibility.AssertNoViolationsAsync(page);
        }

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.ClickAsync("#security-link");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
        Assert.Equal(user.Email, (await page.InnerTextAsync("#details-email")).Trim());
        await ShotAndAxeAsync("account-details-section");

        // Password: the current one, a new one twice; other sessions end by default.
        await page.ClickAsync("#change-password-link");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/password");
        Assert.True(await page.IsCheckedAsync("#end-other-sessions"));
        await ShotAndAxeAsync("account-password");
        await page.FillAsync("#current-password", "not-" + user.Password);
        await page.FillAsync("#new-password", newPassword);
        await page.FillAsync("#confirm-password", newPassword);
        await page.ClickAsync("#change-password");
        Assert.Equal(S(language, "Password_WrongCurrent"), (await page.InnerTextAsync("#password-error")).Trim());
        await ShotAndAxeAsync("account-password-wrong-current");
        await page.FillAsync("#current-password", user.Password);
        await page.FillAsync("#new-password", newPassword);
        await page.FillAsync("#confirm-password", newPassword);
        await page.ClickAsync("#change-password");
        await page.WaitForSelectorAsync("#password-done");
        await ShotAndAxeAsync("account-password-done");
        Assert.Equal("signed-in", await platform.NewClient().LoginStatusAsync(user.Username, newPassword));

        // Email: a link to the new address; the page says so and the address is unchanged until the link is used.
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/email").ToString());
        await page.FillAsync("#new-email", newEmail);
        await page.ClickAsync("#change-email");
        await page.WaitForSelectorAsync("#email-sent");
        Assert.Equal(user.Email, (await page.InnerTextAsync("#current-email")).Trim());
        Assert.True(await page.IsVisibleAsync("#pending-email"));
        await ShotAndAxeAsync("account-email-sent");
        var mail = await platform.TakeEmailAsync(newEmail, S(language, "Email_ConfirmEmail_Subject"));
        var link = ConfirmLink().Match(mail.PlainText).Value;
        var confirmPage = await context.NewPageAsync();
        await confirmPage.GotoAsync(new Uri(platform.GatewayAddress, link).ToString());
        await confirmPage.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"account-confirm-change-{language}.png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(confirmPage);
        await confirmPage.ClickAsync("#confirm-submit");
        Assert.Equal(S(language, "Confirm_DoneEmail"), (await confirmPage.InnerTextAsync("#confirm-done")).Trim());
        await Accessibility.AssertNoViolationsAsync(confirmPage);
        await page.ReloadAsync();
        Assert.Equal(newEmail, (await page.InnerTextAsync("#current-email")).Trim());

        // Phone: a code by SMS to the new number, entered on the same page.
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/phone").ToString());
        await ShotAndAxeAsync("account-phone");
        await page.FillAsync("#new-phone", newPhone);
        await page.ClickAsync("#send-phone-code");
        await page.WaitForSelectorAsync("#phone-code");
        await ShotAndAxeAsync("account-phone-code");
        var code = SixDigits().Match((await platform.WaitForSmsAsync(newPhone, m => m.ReceivedAt >= since)).Body!).Value;
        await page.FillAsync("#phone-code", code);
        await page.ClickAsync("#confirm-phone");
        await page.WaitForSelectorAsync("#phone-done");
        await ShotAndAxeAsync("account-phone-done");

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/security").ToString());
        Assert.Equal(newEmail, (await page.InnerTextAsync("#details-email")).Trim());
        Assert.EndsWith(newPhone[^2..], (await page.InnerTextAsync("#details-phone")).Trim());
    }

    [Fact]
    public async Task Without_a_recent_sign_in_the_pages_send_the_browser_to_reauthenticate_and_back()
    {
        var user = await platform.CreateUserAsync("change-reauth");
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync();
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            foreach (var path in new[] { "/account/password", "/account/email", "/account/phone" })
            {
                await page.GotoAsync(new Uri(platform.GatewayAddress, path).ToString());
                Assert.Equal("/account/reauthenticate", new Uri(page.Url).AbsolutePath);
            }
            await page.FillAsync("#password", user.Password);
            await page.ClickAsync("#reauthenticate");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/phone");
            Assert.True(await page.IsVisibleAsync("#new-phone"));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [GeneratedRegex(@"/account/confirm-change\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
