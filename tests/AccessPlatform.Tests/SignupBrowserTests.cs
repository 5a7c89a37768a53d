using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>A company signs up in German in Debian's Chromium, confirms from the email and lands on Users &amp; Teams (issue 18).</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SignupBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task A_company_signs_up_in_german_confirms_by_email_signs_in_with_the_code_and_lands_on_users_and_teams()
    {
        var signup = SignupTestSupport.NewSignup("de");
        var (key, username, email, password) = ((string)signup["accountKey"]!, (string)signup["username"]!, (string)signup["email"]!,
            (string)signup["password"]!);
        await using var browser = await SharedChromium.LeaseAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "de-DE" });
        Directory.CreateDirectory(Screenshots);
        string Shot(string name) => Path.Combine(Screenshots, $"signup-{name}.png");

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/login").ToString());
        await page.ClickAsync("#signup-link");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/signup");
        Assert.Equal(SignupTestSupport.Text("de", "Signup_Title"), await page.InnerTextAsync("h1"));

        await page.FillAsync("#companyName", (string)signup["companyName"]!);
        await page.FillAsync("#accountKey", key);
        // The live preview shows the SSO address the key gives.
        Assert.Equal(key, await page.InnerTextAsync("#sso-key"));
        Assert.EndsWith($"/login/saml/{key}/", await page.InnerTextAsync("#sso-preview"));
        await page.FillAsync("#username", username);
        await page.FillAsync("#email", email);
        await page.FillAsync("#phone", (string)signup["phone"]!);
        await page.FillAsync("#password", password);
        await page.CheckAsync("#acceptTerms");
        await page.ScreenshotAsync(new() { Path = Shot("1-form-de"), FullPage = true });
        await page.ClickAsync("#signup-submit");
        await page.WaitForSelectorAsync("#signup-sent");
        Assert.Equal(string.Format(SignupTestSupport.Text("de", "Signup_Sent"), 24), await page.InnerTextAsync("#signup-sent"));
        await page.ScreenshotAsync(new() { Path = Shot("2-sent"), FullPage = true });

        // The activation email is German (the language the form was filled in) and its link opens the confirm page.
        var token = await platform.TakeActivationTokenAsync(email, "de");
        await page.GotoAsync(new Uri(platform.GatewayAddress, $"/signup/confirm?token={token}").ToString());
        Assert.Equal(SignupTestSupport.Text("de", "Confirm_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Shot("3-confirm"), FullPage = true });
        await page.ClickAsync("#confirm-submit");
        Assert.Equal(SignupTestSupport.Text("de", "Confirm_Done"), await page.InnerTextAsync("#confirm-done"));
        await page.ScreenshotAsync(new() { Path = Shot("4-active"), FullPage = true });

        await page.ClickAsync("#confirm-sign-in");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        // The manager gave a phone: SMS is their strongest factor, so it is the one offered (the factor policy).
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await page.CheckAsync("input[value=sms]");
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("#code");
        var sms = await platform.WaitForSmsAsync((string)signup["phone"]!, m => m.ReceivedAt >= since);
        var code = SixDigits().Match(sms.Body!).Value;
        await page.FillAsync("#code", code);
        await page.ScreenshotAsync(new() { Path = Shot("5-code"), FullPage = true });
        await page.ClickAsync("#verify");

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/users");
        Assert.Equal(SignupTestSupport.Text("de", "NextSteps_Title"), await page.InnerTextAsync("#next-steps h2"));
        Assert.Contains(username, await page.InnerTextAsync("#users"));
        await page.ScreenshotAsync(new() { Path = Shot("6-users-and-teams"), FullPage = true });
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
