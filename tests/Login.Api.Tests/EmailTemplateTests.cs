using System.Text.RegularExpressions;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Notifications;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace AccessPlatform.Login.Tests;

/// <summary>
/// Every email the platform sends, rendered by the real <see cref="EmailComposer"/> from the shipped resources in
/// English and German, shown in Chromium at a phone's width: the HTML part says what the text part says, links are a
/// button plus the plain address, the code is large, nothing scrolls sideways, and axe finds no WCAG 2.1 AA violation.
/// Screenshots: screenshots/email-&lt;kind&gt;-&lt;lang&gt;.png beside the test assembly.
/// </summary>
public sealed partial class EmailTemplateTests(EmailBrowser browser) : IClassFixture<EmailBrowser>
{
    internal static readonly Uri Origin = new("https://access.example.com");
    internal static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static Uri Link(string pathAndQuery) => new(Origin, pathAndQuery);

    private sealed record Kind(Type Family, string Subject, string Body, NotificationPurpose Purpose, object[] Arguments);

    private const string When = "2026-12-01 14:05";

    /// <summary>Each producer's keys and arguments as it passes them (UserNotifier, PasswordResets, CodeSender, …).</summary>
    private static readonly Dictionary<string, Kind> Kinds = new()
    {
        ["sign-in-code"] = new(typeof(SharedResource), "Email_Otp_Subject", "Email_Otp_Body", NotificationPurpose.OneTimeCode, ["ben.user", new EmailCode("493817"), 10]),
        ["new-sign-in"] = new(typeof(SharedResource), "Email_NewDevice_Subject", "Email_NewDevice_Body", NotificationPurpose.NewDeviceSignIn,
            ["ben.user", "Firefox on Windows", When, "203.0.113.x", Link("/forgot-password")]),
        ["lockout"] = new(typeof(SharedResource), "Email_Lockout_Subject", "Email_Lockout_Body", NotificationPurpose.Lockout, ["ben.user", When, Link("/forgot-password")]),
        ["second-factor-lockout"] = new(typeof(SharedResource), "Email_SecondFactorLockout_Subject", "Email_SecondFactorLockout_Body", NotificationPurpose.Lockout,
            ["ben.user", When, Link("/forgot-password")]),
        ["reset-link"] = new(typeof(SharedResource), "Email_Reset_Subject", "Email_Reset_Body", NotificationPurpose.PasswordReset,
            ["ben.user", "30", Link("/reset-password?token=q3Jx0vA9-long-token-value-that-must-wrap-on-a-phone-7Hk2LmNpQrStUvWxYz")]),
        ["reset-sso"] = new(typeof(SharedResource), "Email_Reset_Subject", "Email_ResetSso_Body", NotificationPurpose.PasswordReset, ["ben.user", Link("/login/saml/contoso")]),
        ["invitation"] = new(typeof(SharedResource), "Email_Invite_Subject", "Email_Invite_Body", NotificationPurpose.Invitation,
            ["anna.manager", "72", Link("/reset-password?token=Zx81kQ")]),
        ["password-reset-done"] = new(typeof(SharedResource), "Email_Changed_Subject", "Email_Changed_Body", NotificationPurpose.PasswordChanged, ["ben.user", When]),
        ["authenticator-added"] = new(typeof(SharedResource), "Email_TotpEnrolled_Subject", "Email_TotpEnrolled_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", When, Link("/forgot-password")]),
        ["authenticator-replaced"] = new(typeof(SharedResource), "Email_TotpReplaced_Subject", "Email_TotpReplaced_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", When, Link("/forgot-password")]),
        ["authenticator-removed"] = new(typeof(SharedResource), "Email_TotpRemoved_Subject", "Email_TotpRemoved_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", When, Link("/forgot-password")]),
        ["signup-confirmation"] = new(typeof(SignupResource), "Email_Activate_Subject", "Email_Activate_Body", NotificationPurpose.AccountActivation,
            ["erika.owner", "Fabrikam GmbH", "24", Link("/signup/confirm?token=Ab12Cd34")]),
        ["signup-address-in-use"] = new(typeof(SignupResource), "Email_InUse_Subject", "Email_InUse_Body", NotificationPurpose.SignupNotice,
            ["erika.owner", Link("/login"), Link("/forgot-password")]),
        ["password-changed"] = new(typeof(AccountChangeResource), "Email_PasswordChanged_Subject", "Email_PasswordChanged_Body", NotificationPurpose.AccountChanged,
            ["ben.user", When, Link("/forgot-password")]),
        ["confirm-email"] = new(typeof(AccountChangeResource), "Email_ConfirmEmail_Subject", "Email_ConfirmEmail_Body", NotificationPurpose.AccountChanged,
            ["ben.user", Link("/account/confirm-change?token=Qw9Er8"), 24]),
        ["email-change-requested"] = new(typeof(AccountChangeResource), "Email_EmailChangeRequested_Subject", "Email_EmailChangeRequested_Body", NotificationPurpose.AccountChanged,
            ["ben.user", "b***@example.org", When, Link("/forgot-password")]),
        ["email-change-by-manager"] = new(typeof(AccountChangeResource), "Email_EmailChangeRequestedByAdmin_Subject", "Email_EmailChangeRequestedByAdmin_Body",
            NotificationPurpose.AccountChanged, ["ben.user", "b***@example.org", When, Link("/forgot-password")]),
        ["email-changed"] = new(typeof(AccountChangeResource), "Email_EmailChanged_Subject", "Email_EmailChanged_Body", NotificationPurpose.AccountChanged,
            ["ben.user", "b***@example.org", When, Link("/forgot-password")]),
        ["phone-change-by-manager"] = new(typeof(AccountChangeResource), "Email_PhoneChangeRequestedByAdmin_Subject", "Email_PhoneChangeRequestedByAdmin_Body",
            NotificationPurpose.AccountChanged, ["ben.user", "+49 *** ***89", When, Link("/forgot-password")]),
        ["phone-changed"] = new(typeof(AccountChangeResource), "Email_PhoneChanged_Subject", "Email_PhoneChanged_Body", NotificationPurpose.AccountChanged,
            ["ben.user", "+49 *** ***89", When, Link("/forgot-password")]),
        ["reset-after-email-change"] = new(typeof(AccountChangeResource), "Email_ResetAfterEmailChange_Subject", "Email_ResetAfterEmailChange_Body",
            NotificationPurpose.AccountChanged, ["ben.user", When]),
        ["passkey-added"] = new(typeof(PasskeyResource), "Email_PasskeyAdded_Subject", "Email_PasskeyAdded_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", "Laptop", When, Link("/forgot-password")]),
        ["passkey-removed"] = new(typeof(PasskeyResource), "Email_PasskeyRemoved_Subject", "Email_PasskeyRemoved_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", "Laptop", When, Link("/forgot-password")]),
        ["recovery-code-used"] = new(typeof(RecoveryResource), "Email_RecoveryUsed_Subject", "Email_RecoveryUsed_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", When, 9, Link("/forgot-password")]),
        ["recovery-codes-generated"] = new(typeof(RecoveryResource), "Email_RecoveryGenerated_Subject", "Email_RecoveryGenerated_Body", NotificationPurpose.AuthenticatorChanged,
            ["ben.user", When, Link("/forgot-password")]),
        ["second-factors-reset"] = new(typeof(RecoveryResource), "Email_FactorsReset_Subject", "Email_FactorsReset_Body", NotificationPurpose.AuthenticatorChanged, ["ben.user", When]),
        ["sso-linked"] = new(typeof(SsoLinkResource), "Email_Linked_Subject", "Email_Linked_Body", NotificationPurpose.SsoLinkChanged,
            ["ben.user", "https://idp.contoso.example/saml", When, Link("/account/security")]),
        ["sso-link-removed"] = new(typeof(SsoLinkResource), "Email_LinkRemoved_Subject", "Email_LinkRemoved_Body", NotificationPurpose.SsoLinkChanged,
            ["ben.user", "https://idp.contoso.example/saml", When, Link("/account/security")]),
        ["sso-welcome"] = new(typeof(SsoLinkResource), "Email_Welcome_Subject", "Email_Welcome_Body", NotificationPurpose.Welcome,
            ["Ben", "ben.user", "Contoso", Link("/login/saml/contoso/")]),
        ["sso-settings-changed"] = new(typeof(SsoLinkResource), "Email_SettingsChanged_Subject", "Email_SettingsChanged_Body", NotificationPurpose.SsoSettingsChanged,
            ["Contoso", "anna.manager", When, "- entity id: https://old.example → https://new.example\n- require signed assertions: on", Link("/admin/sso")]),
    };

    public static TheoryData<string, string> KindsAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in Kinds.Keys)
        {
            data.Add(kind, "en");
            data.Add(kind, "de");
        }
        return data;
    }

    private SendEmail Compose(Kind kind, string language, object[]? arguments = null)
    {
        var text = browser.Services.GetRequiredService<IStringLocalizerFactory>().Create(kind.Family);
        return browser.Services.GetRequiredService<EmailComposer>().Compose(Guid.NewGuid(), "ben@example.test", language, text, kind.Subject, kind.Body,
            kind.Purpose, arguments ?? kind.Arguments);
    }

    /// <summary>A phone's width: long links must wrap, nothing may scroll sideways.</summary>
    private async Task<IPage> ShowAsync(string html, ColorScheme scheme = ColorScheme.Light)
    {
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 }, ColorScheme = scheme });
        await page.SetContentAsync(html);
        return page;
    }

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public async Task Every_email_renders_as_html_that_says_what_its_text_part_says(string kindName, string language)
    {
        var kind = Kinds[kindName];
        var email = Compose(kind, language);
        Assert.NotNull(email.HtmlBody);
        var page = await ShowAsync(email.HtmlBody);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"email-{kindName}-{language}.png"), FullPage = true });

        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
        Assert.Equal(email.Subject, await page.InnerTextAsync("h1"));
        var shown = Collapse(await page.InnerTextAsync("body"));
        foreach (var line in email.TextBody.Split('\n').Select(Collapse).Where(l => l.Length > 0))
        {
            Assert.Contains(line, shown);
        }
        foreach (var link in kind.Arguments.OfType<Uri>())
        {
            // A button that opens the link, and the address itself as text for clients that hide buttons.
            var button = page.Locator($"a.ap-button[href='{link.AbsoluteUri}']");
            Assert.Equal(1, await button.CountAsync());
            Assert.NotEqual(link.AbsoluteUri, Collapse(await button.InnerTextAsync()));
            Assert.Contains(link.AbsoluteUri, email.TextBody);
        }
        Assert.Equal(kind.Arguments.Count(a => a is Uri), await page.Locator("a.ap-button").CountAsync());
        foreach (var code in kind.Arguments.OfType<EmailCode>())
        {
            var box = page.Locator(".ap-code");
            Assert.Equal(code.Value, await box.InnerTextAsync());
            Assert.True(await box.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)") >= 28, "the code is large");
            Assert.Equal("all", await box.EvaluateAsync<string>("e => getComputedStyle(e).userSelect"));
        }
        Assert.Contains(new Uri(Origin, "/contact").AbsoluteUri, email.TextBody);
        Assert.Equal(1, await page.Locator($"a[href='{new Uri(Origin, "/contact").AbsoluteUri}']").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the email scrolls sideways at 360 px");
        Assert.Equal(0, await page.Locator("img").CountAsync());

        if (language == "en")
        {
            // axe once per kind: the German one has the same markup with other words (checked above for text, lang,
            // buttons and width); an axe run is most of a case's time.
            var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, ResultTypes = [ResultType.Violations] });
            Assert.True(axe.Violations.Length == 0, string.Join('\n', axe.Violations.Select(v => $"{v.Id}: {v.Help}")));
        }
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_layout_stays_readable_in_dark_mode()
    {
        var email = Compose(Kinds["sign-in-code"], "en");
        var page = await ShowAsync(email.HtmlBody!, ColorScheme.Dark);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "email-sign-in-code-en-dark.png"), FullPage = true });
        Assert.Equal("rgb(30, 41, 59)", await page.Locator(".ap-card").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgb(226, 232, 240)", await page.Locator(".ap-card").EvaluateAsync<string>("e => getComputedStyle(e).color"));
        var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2aa"] }, ResultTypes = [ResultType.Violations] });
        Assert.True(axe.Violations.Length == 0, string.Join('\n', axe.Violations.Select(v => $"{v.Id}: {v.Help}")));
        await page.CloseAsync();
    }

    /// <summary>
    /// ATTACK: a device label (the browser's User-Agent, the attacker's to choose) or a display name (from the identity
    /// provider) carrying markup. The HTML part shows it as text: no element of it exists and none of its script runs.
    /// </summary>
    [Theory]
    [InlineData("new-sign-in", 1)]
    [InlineData("sso-welcome", 0)]
    [InlineData("passkey-added", 1)]
    public async Task Html_in_a_device_label_or_display_name_is_shown_as_text_not_run(string kindName, int position)
    {
        const string Hostile = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script><a href=\"https://evil.example\">Support</a>";
        var kind = Kinds[kindName];
        var arguments = kind.Arguments.ToArray();
        arguments[position] = Hostile;
        var email = Compose(kind, "en", arguments);

        Assert.DoesNotContain("<img", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>window", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("evil.example\">", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
        var page = await ShowAsync(email.HtmlBody!);
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(0, await page.Locator("a[href*='evil.example']").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Contains(Hostile, await page.InnerTextAsync("body"));
        Assert.Contains(Hostile, email.TextBody);
        await page.CloseAsync();
    }

    [Fact]
    public void A_sign_in_sms_ends_with_the_origin_bound_line_of_the_public_host_without_port()
    {
        Assert.Equal("@localhost #123456", OriginBoundCode.Line(new Uri("http://localhost:8080"), "123456"));
        var sms = OriginBoundCode.Append("123456 is your sign-in code.", new Uri("https://access.example.com"), "123456");
        Assert.Equal("@access.example.com #123456", sms.Split('\n')[^1]);
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>
/// One Chromium and one composer for every case of <see cref="EmailTemplateTests"/>: a browser launched per case (as
/// an <c>IAsyncLifetime</c> of the test class is) cost more than the case's own checks.
/// </summary>
public sealed class EmailBrowser : IAsyncLifetime
{
    private IPlaywright playwright = null!;

    public ServiceProvider Services { get; private set; } = null!;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Services = new ServiceCollection()
            .AddLocalization(o => o.ResourcesPath = "Resources")
            .AddLogging()
            .AddSingleton(Options.Create(new PlatformOptions { PublicOrigin = EmailTemplateTests.Origin }))
            .AddSingleton<EmailComposer>()
            .BuildServiceProvider();
        playwright = await Playwright.CreateAsync();
        Chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(EmailTemplateTests.Screenshots);
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        playwright.Dispose();
        await Services.DisposeAsync();
    }
}
