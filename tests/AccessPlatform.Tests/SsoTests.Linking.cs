using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// Issue 12 through the gateway with the samlify IdP: who an assertion may sign in as (links like Keycloak's
/// first-broker-login, NameID formats, JIT usernames) and who may change the IdP (re-authentication, audit, email).
/// </summary>
public sealed partial class SsoTests
{
    private const string TransientFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    private const string LinkedSubject = "A company sign-in was linked to your account";
    private const string SettingsChangedSubject = "The single sign-on settings of your account were changed";

    // ---- Linking an existing user with a password (every Account Manager) -------------------------------------------

    /// <summary>ASVS 6.8.1 / 6.3.3: an IdP assertion alone never takes over an Account Manager; the link needs password and second factor.</summary>
    [Fact]
    public async Task An_account_managers_email_without_a_link_gets_no_session_until_password_and_second_factor_confirm_the_link()
    {
        var account = await ConfigureAccountAsync();
        var manager = await platform.CreateUserAsync("am-link", roles: ["AccountManager"], account: account.Key);
        var nameId = "persistent-" + Guid.NewGuid().ToString("N");
        // The browser is trusted for this user (test device cookie): linking asks the second factor anyway.
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account, "/account/sessions"), nameId, manager.Email,
            nameIdFormat: PersistentFormat));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var complete = await browser.GetAsync(posted.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
        Assert.StartsWith("/login/sso/link", complete.Headers.Location!.OriginalString);
        Assert.False(complete.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_session=")));
        await AssertNoSessionAsync(browser);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.link_required");

        // The link page asks for the password ...
        var linkPage = await browser.GetAsync(complete.Headers.Location);
        var html = await linkPage.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, linkPage.StatusCode);
        Assert.Contains("Link your company sign-in", html);
        Assert.Contains("type=\"password\"", html);
        var afterPassword = await PostLinkPasswordAsync(browser, html, manager.Password);
        // ... then the second factor, though this browser is trusted for the user.
        Assert.Equal(HttpStatusCode.Redirect, afterPassword.StatusCode);
        Assert.StartsWith("/login-code", afterPassword.Headers.Location!.OriginalString);
        await AssertNoSessionAsync(browser);
        Assert.DoesNotContain(await account.AuditAsync(), e => e.Type == "sso.linked");

        var signedIn = await PassEmailedSecondFactorAsync(browser, manager, afterPassword.Headers.Location);
        Assert.Equal("/account/sessions", signedIn.Headers.Location!.OriginalString);
        Assert.Equal(manager.Username, await UsernameAsync(browser));
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.linked" && e.Reason == "confirmed");
        var email = await platform.WaitForEmailAsync(manager.Email, m => m.Subject == LinkedSubject);
        Assert.Contains(SamlIdpFixture.EntityId, email.PlainText);

        // The next SSO sign-in goes straight in: the link decides.
        using var next = platform.NewClient(newDevice: true);
        await SignInAsync(next, account, await MintAsync(account, await StartAsync(next, account), nameId, manager.Email, nameIdFormat: PersistentFormat));
        Assert.Equal(manager.Username, await UsernameAsync(next));
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.succeeded" && e.Reason == "linked");
    }

    /// <summary>Finding 1: anyone who can set their own mail at the IdP signed in as the colleague with that email.</summary>
    [Fact]
    public async Task An_insider_asserting_a_colleagues_email_cannot_sign_in_as_them()
    {
        // Even with "link existing users by email" on: the colleague has a password, so only the colleague can link.
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var colleague = await platform.CreateUserAsync("colleague", account: account.Key);
        using var insider = platform.NewClient();

        var posted = await PostAcsAsync(insider, account, await MintAsync(account, await StartAsync(insider, account), "insider-own-id", colleague.Email,
            nameIdFormat: PersistentFormat));
        var complete = await insider.GetAsync(posted.Headers.Location);
        await AssertNoSessionAsync(insider);
        Assert.StartsWith("/login/sso/link", complete.Headers.Location!.OriginalString);

        // Guessing the password on the link page does not link (the lockout counts it like any failed login).
        var linkPage = await (await insider.GetAsync(complete.Headers.Location)).Content.ReadAsStringAsync();
        var guess = await PostLinkPasswordAsync(insider, linkPage, "Summer2026!");
        Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        await AssertNoSessionAsync(insider);

        // Nothing was stored: the same assertion again still ends on the link page, not in a session.
        using var again = platform.NewClient();
        var second = await PostAcsAsync(again, account, await MintAsync(account, await StartAsync(again, account), "insider-own-id", colleague.Email,
            nameIdFormat: PersistentFormat));
        Assert.StartsWith("/login/sso/link", (await again.GetAsync(second.Headers.Location)).Headers.Location!.OriginalString);
        await AssertNoSessionAsync(again);
        var audit = await account.AuditAsync();
        Assert.DoesNotContain(audit, e => e.Type == "sso.linked");
        Assert.DoesNotContain(audit, e => e.Type == "sso.succeeded");
        Assert.Contains(audit, e => e.Type == "login.failed" && e.Reason == "bad-password");
    }

    // ---- Password-less users and the "link existing users by email" setting -----------------------------------------

    [Fact]
    public async Task A_password_less_user_is_refused_with_no_matching_user_while_link_by_email_is_off()
    {
        var account = await ConfigureAccountAsync(linkByEmail: false);
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "p-" + user.Username, user.Email,
            nameIdFormat: PersistentFormat));

        await AssertRefusedAsync(browser, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "no-matching-user");
    }

    [Fact]
    public async Task A_password_less_user_is_linked_by_email_and_told_so_when_link_by_email_is_on()
    {
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();

        await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "p-" + user.Username, user.Email,
            nameIdFormat: PersistentFormat));

        Assert.Equal(user.Username, await UsernameAsync(browser));
        var audit = await account.AuditAsync();
        Assert.Contains(audit, e => e.Type == "sso.linked" && e.Reason == "email-match");
        Assert.Contains(audit, e => e.Type == "sso.succeeded" && e.Reason == "email-match");
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == LinkedSubject);
    }

    /// <summary>The email rule links a user once per IdP: a second NameID asserting the same email is someone else.</summary>
    [Fact]
    public async Task An_idp_identity_asserting_the_email_of_a_user_already_linked_to_another_name_id_cannot_sign_in_as_them()
    {
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var user = await SsoOnlyUserAsync(account);
        using (var owner = platform.NewClient())
        {
            await SignInAsync(owner, account, await MintAsync(account, await StartAsync(owner, account), "owner-" + user.Username, user.Email,
                nameIdFormat: PersistentFormat));
            Assert.Equal(user.Username, await UsernameAsync(owner));
        }
        using var other = platform.NewClient();

        var posted = await PostAcsAsync(other, account, await MintAsync(account, await StartAsync(other, account), "someone-else", user.Email,
            nameIdFormat: PersistentFormat));

        await AssertRefusedAsync(other, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "already-linked");
    }

    // ---- NameID formats ----------------------------------------------------------------------------------------------

    /// <summary>Finding 6: transient NameIDs were linked, so sso_links grew without bound and a recycled one inherited an account.</summary>
    [Fact]
    public async Task A_transient_name_id_is_never_linked_nor_provisioned_and_is_refused_with_its_reason()
    {
        var account = await ConfigureAccountAsync(jit: true, linkByEmail: true);
        var user = await SsoOnlyUserAsync(account);
        var stranger = $"t-{Guid.NewGuid():N}"[..14] + "@jit.example.test";

        foreach (var email in new[] { user.Email, stranger })
        {
            using var browser = platform.NewClient();
            var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "_" + Guid.NewGuid().ToString("N"), email,
                nameIdFormat: TransientFormat));
            await AssertRefusedAsync(browser, posted);
        }

        var audit = await account.AuditAsync();
        Assert.Equal(2, audit.Count(e => e.Type == "sso.refused" && e.Reason == "saml-transient-name-id"));
        Assert.DoesNotContain(audit, e => e.Type is "sso.linked" or "sso.user_provisioned" or "sso.succeeded");
    }

    // ---- JIT -----------------------------------------------------------------------------------------------------

    /// <summary>Finding 3: JIT took the asserted email as a platform-wide username, so one tenant's IdP could occupy another's.</summary>
    [Fact]
    public async Task A_tenants_idp_cannot_occupy_an_email_of_another_tenant_as_a_username()
    {
        var account = await ConfigureAccountAsync(jit: true);
        var email = $"cfo-{Guid.NewGuid():N}"[..16] + "@tenant-b.example.test";
        using var browser = platform.NewClient();

        await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "jit-" + email, email, nameIdFormat: PersistentFormat,
            givenName: "Carla", surname: "Fo"));

        var username = await UsernameAsync(browser);
        Assert.NotEqual(email, username, StringComparer.OrdinalIgnoreCase);
        Assert.Matches($"^{account.Key}-[a-z2-7]{{8}}$", username);
        // The email is still free as a username for whoever owns it elsewhere.
        using var loginApi = platform.ResourceClient("login-api");
        var taken = await loginApi.PostAsJsonAsync("/internal/testing/users", new
        {
            account = "tenant-b", username = email, email, password = "pw-" + Guid.NewGuid(), roles = new[] { "User" }, webAccess = true, status = "active",
        });
        Assert.True(taken.IsSuccessStatusCode, await taken.Content.ReadAsStringAsync());
        var welcome = await platform.WaitForEmailAsync(email, m => m.Subject == "Welcome to the Access Platform");
        Assert.Contains(username!, welcome.PlainText);
        Assert.Contains("Carla", welcome.PlainText);
        var audit = await account.AuditAsync();
        Assert.Contains(audit, e => e.Type == "sso.user_provisioned");
        Assert.Contains(audit, e => e.Type == "sso.linked" && e.Reason == "jit");
    }

    [Fact]
    public async Task Jit_refuses_an_email_an_account_manager_could_not_have_entered()
    {
        var account = await ConfigureAccountAsync(jit: true);
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "jit-bad", "not an@address",
            nameIdFormat: PersistentFormat));

        await AssertRefusedAsync(browser, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "invalid-email");
    }

    // ---- Links on the security page and the admin profile -------------------------------------------------------------

    [Fact]
    public async Task A_user_sees_the_link_on_the_security_page_and_removing_it_is_audited_emailed_and_ends_sso_sign_in()
    {
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var user = await SsoOnlyUserAsync(account);
        var nameId = "sec-" + user.Username;
        using var browser = platform.NewClient();
        await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), nameId, user.Email, nameIdFormat: PersistentFormat));

        var page = await (await browser.GetAsync("/account/security")).Content.ReadAsStringAsync();
        Assert.Contains("id=\"sso-links-table\"", page);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(nameId), page);
        var removed = await browser.PostAsync("/account/sso-links?handler=Remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["idpEntityId"] = SamlIdpFixture.EntityId, ["nameId"] = nameId, ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(page),
        }));

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("id=\"sso-links-none\"", await (await browser.GetAsync("/account/security")).Content.ReadAsStringAsync());
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.link_removed" && e.Reason == "self");
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "A company sign-in was removed from your account");
    }

    /// <summary>A user cannot remove (or probe) another user's link through their own security page.</summary>
    [Fact]
    public async Task A_user_cannot_remove_a_colleagues_link_by_posting_its_name_id()
    {
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var victim = await SsoOnlyUserAsync(account);
        var attacker = await platform.CreateUserAsync("attacker", account: account.Key);
        using (var victimBrowser = platform.NewClient())
        {
            await SignInAsync(victimBrowser, account, await MintAsync(account, await StartAsync(victimBrowser, account), "v-" + victim.Username, victim.Email,
                nameIdFormat: PersistentFormat));
        }
        using var browser = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync(attacker.Username, attacker.Password)).StatusCode);
        var page = await (await browser.GetAsync("/account/security")).Content.ReadAsStringAsync();

        await browser.PostAsync("/account/sso-links?handler=Remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["idpEntityId"] = SamlIdpFixture.EntityId, ["nameId"] = "v-" + victim.Username, ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(page),
        }));

        Assert.DoesNotContain(await account.AuditAsync(), e => e.Type == "sso.link_removed");
        using var again = platform.NewClient();
        await SignInAsync(again, account, await MintAsync(account, await StartAsync(again, account), "v-" + victim.Username, victim.Email, nameIdFormat: PersistentFormat));
        Assert.Equal(victim.Username, await UsernameAsync(again));
    }

    [Fact]
    public async Task The_account_manager_sees_and_removes_a_users_link_on_the_profile()
    {
        var account = await ConfigureAccountAsync(linkByEmail: true);
        var user = await SsoOnlyUserAsync(account);
        var nameId = "prof-" + user.Username;
        using (var browser = platform.NewClient())
        {
            await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), nameId, user.Email, nameIdFormat: PersistentFormat));
        }

        var profile = await (await account.Admin.GetAsync($"/admin/users/{user.Id}")).Content.ReadAsStringAsync();
        Assert.Contains(System.Net.WebUtility.HtmlEncode(nameId), profile);
        // Without the confirmation step's confirm=true nothing is removed.
        var unconfirmed = await account.Admin.PostAsync($"/admin/users/{user.Id}/sso-links?handler=Remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["idpEntityId"] = SamlIdpFixture.EntityId, ["nameId"] = nameId, ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(profile),
        }));
        Assert.Equal(HttpStatusCode.Redirect, unconfirmed.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(nameId), await (await account.Admin.GetAsync($"/admin/users/{user.Id}")).Content.ReadAsStringAsync());
        var removed = await account.Admin.PostAsync($"/admin/users/{user.Id}/sso-links?handler=Remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["idpEntityId"] = SamlIdpFixture.EntityId, ["nameId"] = nameId, ["confirm"] = "true", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(profile),
        }));

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("id=\"sso-links-none\"", await (await account.Admin.GetAsync($"/admin/users/{user.Id}")).Content.ReadAsStringAsync());
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.link_removed" && e.Reason == "admin");
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "A company sign-in was removed from your account");
    }

    // ---- Settings governance ----------------------------------------------------------------------------------------

    /// <summary>Finding 2: a stolen or demoted Account Manager session swapped the IdP without proving anything.</summary>
    [Fact]
    public async Task An_account_manager_session_without_a_recent_re_authentication_cannot_swap_the_idp()
    {
        var account = await ConfigureAccountAsync();
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));

            var response = await account.Admin.PutAsJsonAsync("/api/admin/sso", new
            {
                idpEntityId = "https://rogue-idp.example/saml", idpSsoUrl = $"{idp.Address}sso",
                certificates = new[] { idp.CertificatePem("attacker") }, enforceSso = false, jitProvisioning = true, allowIdpInitiated = true,
            });

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var problem = await response.ProblemAsync();
            Assert.Equal("https://access-platform/problems/reauthentication-required", problem.GetProperty("type").GetString());
            var settings = await account.Admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
            Assert.Equal(SamlIdpFixture.EntityId, settings.GetProperty("idpEntityId").GetString());
            Assert.DoesNotContain(await account.AuditAsync(), e => e.Type == "sso.settings_changed" && e.Reason!.Contains("rogue-idp"));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task After_a_re_authentication_a_settings_change_is_audited_with_the_diff_and_emailed_to_every_account_manager()
    {
        var account = await ConfigureAccountAsync();
        var otherManager = await platform.CreateUserAsync("am2", roles: ["AccountManager"], account: account.Key);
        var oldThumbprint = Thumbprint(idp.CertificatePem("primary"));
        var newThumbprint = Thumbprint(idp.CertificatePem("secondary"));
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            var reauth = await account.Admin.PostAsJsonAsync("/api/auth/reauthenticate", new { password = account.Manager!.Password });
            Assert.True(reauth.IsSuccessStatusCode, await reauth.Content.ReadAsStringAsync());

            var response = await account.Admin.PutAsJsonAsync("/api/admin/sso", new
            {
                idpEntityId = "https://new-idp.example/saml", idpSsoUrl = $"{idp.Address}sso",
                certificates = new[] { idp.CertificatePem("secondary") }, enforceSso = true, jitProvisioning = false, allowIdpInitiated = false,
                linkExistingUsersByEmail = false,
            });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }

        var change = Assert.Single(await account.AuditAsync(), e => e.Type == "sso.settings_changed" && e.Reason!.Contains("new-idp"));
        Assert.Contains($"IdP entity id: {SamlIdpFixture.EntityId} → https://new-idp.example/saml", change.Reason);
        Assert.Contains($"IdP certificate added: SHA-256 {newThumbprint}", change.Reason);
        Assert.Contains($"IdP certificate removed: SHA-256 {oldThumbprint}", change.Reason);
        Assert.Contains("Enforce SSO: off → on", change.Reason);
        Assert.Contains("Link existing users by email: on → off", change.Reason);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.enforcement_changed" && e.Reason == "enforced");
        var actorIds = await AuditActorsAsync(account, "sso.settings_changed");
        Assert.Contains(account.Manager!.Id, actorIds);
        foreach (var manager in new[] { account.Manager!, otherManager })
        {
            var mail = await platform.WaitForEmailAsync(manager.Email, m => m.Subject == SettingsChangedSubject && m.PlainText.Contains("new-idp"));
            Assert.Contains(account.Manager!.Username, mail.PlainText);
            Assert.Contains(newThumbprint, mail.PlainText);
        }
    }

    [Fact]
    public async Task The_settings_page_sends_a_manager_without_a_recent_re_authentication_to_confirm_the_password()
    {
        var account = await ConfigureAccountAsync();
        var page = await (await account.Admin.GetAsync("/admin/sso")).Content.ReadAsStringAsync();
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));

            var posted = await account.Admin.PostAsync("/admin/sso", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["IdpEntityId"] = "https://rogue-idp.example/saml", ["IdpSsoUrl"] = $"{idp.Address}sso", ["Certificate1"] = idp.CertificatePem("attacker"),
                ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(page),
            }));

            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            Assert.Equal("/account/reauthenticate?returnUrl=%2Fadmin%2Fsso", posted.Headers.Location!.OriginalString);
            var settings = await account.Admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
            Assert.Equal(SamlIdpFixture.EntityId, settings.GetProperty("idpEntityId").GetString());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    // ---- The link page in a real browser ------------------------------------------------------------------------------

    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("de-DE", "de")]
    public async Task In_a_real_browser_the_link_page_confirms_the_link_and_has_no_accessibility_violations(string locale, string language)
    {
        var account = await ConfigureAccountAsync();
        var manager = await platform.CreateUserAsync("am-browser", roles: ["AccountManager"], account: account.Key);
        var idpOnLocalhost = $"http://localhost:{idp.Address.Port}/sso";
        await account.PutSettingsAsync(idp, ssoUrl: $"{idpOnLocalhost}?nameId={Uri.EscapeDataString("emp-" + manager.Username)}&email={Uri.EscapeDataString(manager.Email)}");
        var publicOrigin = new Uri(account.SpEntityId).GetLeftPart(UriPartial.Authority);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await using var chromium = await SharedChromium.LeaseAsync();
        var page = await chromium.NewPageAsync(new BrowserNewPageOptions { Locale = locale });

        await page.GotoAsync($"{publicOrigin}/login/saml/{account.Key}/?returnUrl=%2Faccount%2Fsecurity");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login/sso/link");
        Assert.Equal(Resx.Text("Login.Api/Resources/SsoLinkResource", language, "Link_Title"), await page.InnerTextAsync("h1"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"sso-link-1-page-{language}.png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(page);

        await page.FillAsync("#password", "wrong-" + manager.Password);
        await page.ClickAsync("#link-submit");
        await page.WaitForSelectorAsync("#link-error");
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"sso-link-2-wrong-password-{language}.png"), FullPage = true });
        await Accessibility.AssertNoViolationsAsync(page);

        await ConfirmLinkInBrowserAsync(page, manager);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
        Assert.Contains("emp-" + manager.Username, await page.InnerTextAsync("#sso-links-table"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"sso-link-3-security-page-{language}.png"), FullPage = true });
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.linked" && e.Reason == "confirmed");
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    /// <summary>On the link page: the password, then the emailed second factor on the code page.</summary>
    private async Task ConfirmLinkInBrowserAsync(IPage page, TestUser user)
    {
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login/sso/link");
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("#link-submit");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        await page.CheckAsync("input[name=channel][value=email]");
        await page.ClickAsync("#send");
        await page.FillAsync("#code", await EmailedCodeAsync(user));
        await page.ClickAsync("#verify");
    }

    private static async Task<HttpResponseMessage> PostLinkPasswordAsync(HttpClient browser, string linkPageHtml, string password) =>
        await browser.PostAsync("/login/sso/link?returnUrl=%2Faccount%2Fsessions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Password"] = password, ["ReturnUrl"] = "/account/sessions", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(linkPageHtml),
        }));

    /// <summary>The code page of the flow: send the code by email, enter it; returns the final redirect.</summary>
    private async Task<HttpResponseMessage> PassEmailedSecondFactorAsync(HttpClient browser, TestUser user, Uri codePage)
    {
        var html = await (await browser.GetAsync(codePage)).Content.ReadAsStringAsync();
        var sent = await browser.PostAsync(codePage + (codePage.OriginalString.Contains('?') ? "&" : "?") + "handler=Send", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["channel"] = "email", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(html),
        }));
        var codeHtml = await sent.Content.ReadAsStringAsync();
        var verified = await browser.PostAsync(codePage + (codePage.OriginalString.Contains('?') ? "&" : "?") + "handler=Verify", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = await EmailedCodeAsync(user), ["returnUrl"] = "/account/sessions", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(codeHtml),
        }));
        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        return verified;
    }

    private async Task<string> EmailedCodeAsync(TestUser user)
    {
        var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your sign-in code");
        return Regex.Match(email.PlainText, @"\b\d{6}\b").Value;
    }

    private static string Thumbprint(string pem)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        return certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
    }

    private static async Task<Guid[]> AuditActorsAsync(SsoAccount account, string type)
    {
        var events = await account.Admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?limit=50&type={type}", PlatformFixture.JsonOptions) ?? [];
        return [.. events.Where(e => e.TryGetProperty("actorId", out var a) && a.ValueKind == JsonValueKind.String).Select(e => e.GetProperty("actorId").GetGuid())];
    }
}
