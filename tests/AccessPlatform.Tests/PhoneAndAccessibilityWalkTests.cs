using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// Every page of the platform at a 360 × 740 phone viewport, once per language (English, German): no sideways scrolling
/// (<c>scrollWidth &lt;= innerWidth</c>) and no axe violation at WCAG 2.1 AA. One walk per language, both checks per
/// page, to keep the suite short. Plus the keyboard-only login with a code. Screenshots: screenshots/phone/.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class PhoneAndAccessibilityWalkTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", "phone");

    private static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };

    /// <summary>The pages anyone may open, and the error pages.</summary>
    private static readonly string[] PublicPages =
    [
        "/login", "/forgot-password", "/reset-password?token=not-a-real-token", "/signup", "/signup/confirm?token=not-a-real-token",
        "/terms", "/privacy", "/contact",
        "/login/saml/no-such-account/", // Sso.Api's page for an unknown account (the template of its refused and busy pages too)
        "/no-such-page", // the HTML 404 page
    ];

    /// <summary>A signed-in Account Manager's pages, their own and the admin console (Login.Api and Sso.Api).</summary>
    private static string[] SignedInPages(Guid userId) =>
    [
        "/", "/account/security", "/account/devices", "/account/sessions", "/account/sso-links", "/account/password",
        "/account/email", "/account/phone", "/account/authenticator", "/account/passkeys", "/account/recovery-codes",
        "/account/reauthenticate",
        "/admin/users", $"/admin/users/{userId}", $"/admin/users/{userId}/sso-links", $"/admin/users/{userId}/second-factors/reset",
        "/admin/teams", "/admin/audit", "/admin/security", "/admin/sso",
        $"/admin/users/{Guid.NewGuid()}", // the 404 page of an id that is not the account's
    ];

    [Theory]
    [InlineData("en", "en-US")]
    [InlineData("de", "de-DE")]
    public async Task Every_page_fits_a_360px_phone_without_sideways_scrolling_and_has_no_axe_violations(string language, string locale)
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("phone-mgr", account: account, roles: ["AccountManager", "User"], language: language, trustDevice: false);
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = Phone });
        context.SetDefaultTimeout(90_000); // a shared 2-core machine under load; nothing here waits on a timer
        var page = await context.NewPageAsync();
        Directory.CreateDirectory(Screenshots);
        var failures = new List<string>();

        foreach (var path in PublicPages)
        {
            await CheckAsync(page, path, language, failures);
        }

        // The sign-in with a code: the password page, the channel choice and the code page, each checked on the way.
        await page.GotoAsync(Url("/login"));
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        await CheckCurrentAsync(page, "login-code-choose", language, failures);
        await page.CheckAsync("input[name=channel][value=email]");
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync("#code");
        await CheckCurrentAsync(page, "login-code-enter", language, failures);
        await page.FillAsync("#code", await EmailCodeAsync(manager.Email));
        await page.ClickAsync("#verify");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/login-code");

        foreach (var path in SignedInPages(manager.Id))
        {
            await CheckAsync(page, path, language, failures);
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private async Task CheckAsync(IPage page, string path, string language, List<string> failures)
    {
        await page.GotoAsync(Url(path));
        await CheckCurrentAsync(page, path, language, failures);
    }

    /// <summary>Both checks on the page as it is; failures are collected so one run lists every page that fails.</summary>
    private static async Task CheckCurrentAsync(IPage page, string name, string language, List<string> failures)
    {
        var file = Regex.Replace(name.Trim('/'), "[^a-zA-Z0-9-]+", "_");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{(file.Length == 0 ? "home" : file)}-{language}.png"), FullPage = true });
        var widths = await page.EvaluateAsync<JsonElement>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (widths[0].GetInt32() > widths[1].GetInt32())
        {
            failures.Add($"{name} ({language}): scrollWidth {widths[0]} > innerWidth {widths[1]}: {await WiderThanViewportAsync(page)}");
        }
        if (await page.EvaluateAsync<string>("() => document.documentElement.lang") != language && !name.StartsWith("/admin", StringComparison.Ordinal))
        {
            failures.Add($"{name} ({language}): the page is not in {language}");
        }
        try
        {
            await Accessibility.AssertNoViolationsAsync(page);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            failures.Add($"{name} ({language}): {ex.Message}");
        }
    }

    /// <summary>The elements that stick out, for a failure message that says what to fix.</summary>
    private static Task<string> WiderThanViewportAsync(IPage page) => page.EvaluateAsync<string>(
        """
        () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
            || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
            + ' right=' + Math.round(e.getBoundingClientRect().right)).join(', ')
        """);

    /// <summary>
    /// Only the keyboard: Tab to each control and Enter to submit (Space picks a channel when none is preselected).
    /// Every control that takes the focus on the way has an accessible name.
    /// </summary>
    [Fact]
    public async Task The_login_with_a_code_works_with_the_keyboard_alone_and_every_control_on_the_way_is_named()
    {
        var user = await platform.CreateUserAsync("keyboard", trustDevice: false);
        await using var browser = await SharedChromium.LeaseAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });
        page.SetDefaultTimeout(90_000);
        var visited = new List<string>();

        await page.GotoAsync(Url("/login"));
        await TabToAsync(page, "#username", visited);
        await page.Keyboard.TypeAsync(user.Username);
        await TabToAsync(page, "#password", visited);
        await page.Keyboard.TypeAsync(user.Password);
        await TabToAsync(page, "form:has(#password) button[type=submit]", visited);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");

        await TabToAsync(page, "input[name=channel][value=email]", visited);
        if (!await page.IsCheckedAsync("input[name=channel][value=email]"))
        {
            await page.Keyboard.PressAsync("Space");
        }
        Assert.True(await page.IsCheckedAsync("input[name=channel][value=email]"));
        await TabToAsync(page, "#send", visited);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#code");

        Assert.Equal("one-time-code", await page.GetAttributeAsync("#code", "autocomplete"));
        // The code field has the focus on arrival (autofocus) or is reached with Tab.
        await TabToAsync(page, "#code", visited);
        await page.Keyboard.TypeAsync(await EmailCodeAsync(user.Email));
        await TabToAsync(page, "#verify", visited);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Contains(user.Username, await page.InnerTextAsync("#signed-in-as"));
        Assert.All(visited, stop => Assert.DoesNotMatch(@"name=""""", stop));
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus (at most 30 times).</summary>
    private static async Task TabToAsync(IPage page, string selector, List<string> visited)
    {
        for (var presses = 0; presses <= 30; presses++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
            {
                return;
            }
            await page.Keyboard.PressAsync("Tab");
            var stop = await page.EvaluateAsync<string>(AccessibleNameOfFocus);
            Assert.False(stop.Contains("name=\"\"", StringComparison.Ordinal), $"A control reached with Tab has no accessible name: {stop}");
            visited.Add(stop);
        }
        Assert.Fail($"{selector} is not reachable with Tab; the focus went through: {string.Join(" → ", visited)}");
    }

    /// <summary>The focused element and its accessible name as a browser computes it for these controls (label, aria, text).</summary>
    private const string AccessibleNameOfFocus =
        """
        () => {
            const e = document.activeElement;
            if (!e || e === document.body) return 'body name="(none focused)"';
            const labelled = (e.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
                .map(id => document.getElementById(id)?.innerText || '').join(' ');
            const labels = e.labels ? [...e.labels].map(l => l.innerText).join(' ') : '';
            const name = (e.getAttribute('aria-label') || labelled || labels || e.innerText || e.value || e.title || '').trim();
            return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' name="' + name.replace(/\s+/g, ' ') + '"';
        }
        """;

    private async Task<string> EmailCodeAsync(string email)
    {
        var mail = await platform.WaitForEmailAsync(email, m => m.Subject == Resx.Text("en", "Email_Otp_Subject") || m.Subject == Resx.Text("de", "Email_Otp_Subject"));
        using var client = platform.ResourceClient("mail");
        await client.DeleteAsync($"/api/messages/{mail.Id}");
        return SixDigits().Match(mail.PlainText).Value;
    }

    private string Url(string path) => new Uri(platform.GatewayAddress, path).ToString();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
