using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// Users &amp; Teams in Debian's Chromium: an Account Manager resets a user's password from the profile page, the
/// user follows the emailed link, sets a new password and signs in (with the second factor, since the reset revoked
/// the user's trusted devices). Screenshots go to the test output.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class AdminBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", "admin");

    [Fact]
    public async Task An_account_manager_resets_a_password_from_the_profile_and_the_user_sets_a_new_one_from_the_link()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("ui-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("ui-user", account: account);
        await using var browser = await SharedChromium.LeaseAsync();
        Directory.CreateDirectory(Screenshots);

        // The Account Manager, on their trusted device.
        var managerContext = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        await managerContext.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await managerContext.NewPageAsync();
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        await page.ClickAsync("a[href='/admin/users']");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/users");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "1-users.png"), FullPage = true });
        await page.FillAsync("#search", user.Username);
        await page.ClickAsync("#filter");
        await page.WaitForURLAsync(url => url.Contains("search="));
        Assert.Equal(1, await page.Locator("#users tbody tr").CountAsync());
        await page.ClickAsync($"a[data-username='{user.Username}']");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/admin/users/{user.Id}");
        Assert.Equal(user.Username, await page.InnerTextAsync("#profile-username"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "2-profile.png"), FullPage = true });

        await page.ClickAsync("#reset-password");
        await page.WaitForSelectorAsync("#admin-message");
        Assert.Equal("A password reset email was sent to the user.", await page.InnerTextAsync("#admin-message"));
        Assert.DoesNotContain("token", await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "3-reset-sent.png"), FullPage = true });

        await page.GotoAsync(new Uri(platform.GatewayAddress, $"/admin/audit?userId={user.Id}&type=password.reset_requested").ToString());
        Assert.Contains("password.reset_requested", await page.InnerTextAsync("#audit"));
        Assert.Contains(manager.Username, await page.InnerTextAsync("#audit"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "4-audit.png"), FullPage = true });

        // The user, in their own browser (no trusted device), opens the link from the email.
        var email = await platform.TakeEmailAsync(user.Email, PasswordResetTestSupport.ResetSubject);
        var link = new Uri(ResetLink().Match(email.PlainText).Value);
        Assert.Equal(platform.GatewayAddress.Port, link.Port);
        var userContext = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var userPage = await userContext.NewPageAsync();
        await userPage.GotoAsync(new Uri(platform.GatewayAddress, link.PathAndQuery).ToString());
        Assert.Equal("Set a new password", await userPage.InnerTextAsync("h1"));
        await userPage.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "5-reset-form.png"), FullPage = true });

        var password = PasswordResetTestSupport.StrongPassword();
        await userPage.FillAsync("#newPassword", password);
        await userPage.FillAsync("#confirmPassword", password + "x");
        await userPage.ClickAsync("#reset-submit");
        Assert.Equal(Resx.Text("en", "Reset_Mismatch"), await userPage.InnerTextAsync("#reset-error"));
        Assert.Equal("", await userPage.InputValueAsync("#newPassword"));

        await userPage.FillAsync("#newPassword", password);
        await userPage.FillAsync("#confirmPassword", password);
        await userPage.ClickAsync("#reset-submit");
        await userPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        Assert.Equal(Resx.Text("en", "Reset_Done"), await userPage.InnerTextAsync("p.notice"));
        await userPage.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "6-reset-done.png"), FullPage = true });

        await userPage.FillAsync("#username", user.Username);
        await userPage.FillAsync("#password", password);
        await userPage.ClickAsync("form:has(#password) button[type=submit]");
        await userPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        await userPage.CheckAsync("input[name=channel][value=email]");
        await userPage.ClickAsync("#send");
        var code = SixDigits().Match((await platform.TakeEmailAsync(user.Email, "Your sign-in code")).PlainText).Value;
        await userPage.FillAsync("#code", code);
        await userPage.ClickAsync("#verify");
        await userPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Contains(user.Username, await userPage.InnerTextAsync("#signed-in-as"));
        await userPage.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "7-signed-in.png"), FullPage = true });
    }

    [GeneratedRegex(@"https?://\S+/reset-password\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ResetLink();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
