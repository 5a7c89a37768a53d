using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// Recovery codes in Chromium: generated from the security page after the password (the login is old), shown once,
/// downloaded as a .txt, then used on the code page of a new browser ("Use a recovery code"). Every page is checked
/// with axe (WCAG 2.1 AA), in English and German.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RecoveryCodesBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static string R(string language, string key) => Resx.Text(RecoveryCodeTestSupport.Resource, language, key);

    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("de-DE", "de")]
    public async Task Recovery_codes_are_generated_after_the_password_downloaded_and_one_signs_in_a_new_browser(string locale, string language)
    {
        var user = await platform.CreateUserAsync("browser-rc", language: language);
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, AcceptDownloads = true });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);
        await SignInAsync(page, user);

        string[] codes;
        try
        {
            // An old login: generating asks for the password first, then comes back.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/security").ToString());
            Assert.Equal(R(language, "Recovery_None"), await page.InnerTextAsync("#recovery-codes-remaining"));
            await page.ClickAsync("#generate-recovery-codes");
            await WaitForPathAsync(page, "/account/reauthenticate");
            await page.FillAsync("#password", user.Password);
            await page.ClickAsync("#reauthenticate");
            await WaitForPathAsync(page, "/account/recovery-codes");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"recovery-1-generate-{language}.png"), FullPage = true });
            await Accessibility.AssertNoViolationsAsync(page);

            await page.ClickAsync("#generate-recovery-codes");
            await page.WaitForSelectorAsync("#recovery-codes");
            Assert.Equal(R(language, "Recovery_ShowTitle"), await page.InnerTextAsync("h1"));
            codes = [.. (await page.Locator("#recovery-codes code").AllInnerTextsAsync()).Select(c => c.Trim())];
            Assert.Equal(10, codes.Length);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"recovery-2-codes-{language}.png"), FullPage = true });
            await Accessibility.AssertNoViolationsAsync(page);

            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-recovery-codes"));
            Assert.EndsWith(".txt", download.SuggestedFilename);
            var file = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.All(codes, code => Assert.Contains(code, file));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/account/security").ToString());
        Assert.Equal(string.Format(R(language, "Recovery_Remaining"), 10, 10), await page.InnerTextAsync("#recovery-codes-remaining"));

        // A new browser (the phone is lost): password, then "Use a recovery code" on the code page.
        var lost = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        var other = await lost.NewPageAsync();
        await other.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await other.FillAsync("#username", user.Username);
        await other.FillAsync("#password", user.Password);
        await other.ClickAsync("form:has(#password) button[type=submit]");
        await WaitForPathAsync(other, "/login-code");
        await other.ClickAsync("#use-recovery-code summary");
        await other.FillAsync("#recovery-code", codes[0]);
        await other.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"recovery-3-login-code-{language}.png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(other);
        await other.ClickAsync("#submit-recovery-code");
        await WaitForPathAsync(other, "/");
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == R(language, "Email_RecoveryUsed_Subject"));
    }

    /// <summary>Waits for the page to arrive at <paramref name="path"/>; a timeout says where it is instead.</summary>
    private static async Task WaitForPathAsync(IPage page, string path)
    {
        try
        {
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);
        }
        catch (TimeoutException e)
        {
            var text = await page.InnerTextAsync("main, body");
            throw new TimeoutException($"Expected {path}, still at {page.Url}: {text[..Math.Min(600, text.Length)]}", e);
        }
    }

    private async Task SignInAsync(IPage page, TestUser user)
    {
        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await WaitForPathAsync(page, "/");
    }
}
