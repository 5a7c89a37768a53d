using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AccessPlatform.Tests;

/// <summary>
/// SAML single sign-on through the gateway, against an identity provider we did not write (samlify from npm):
/// SP-initiated login end to end, user mapping (link, email, JIT), enforce SSO, certificate rollover, the admin
/// settings, and hostile responses, each of which must be refused and leave no session.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SsoTests(PlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>
{
    // ---- End to end --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Sp_initiated_login_through_the_independent_idp_signs_the_user_in_and_lands_on_the_return_path()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        // The IdP's user is chosen by its SSO URL's query (test IdP only).
        await account.PutSettingsAsync(idp, ssoUrl: $"{idp.Address}sso?nameId={Uri.EscapeDataString("emp-" + user.Username)}&email={Uri.EscapeDataString(user.Email)}");
        using var browser = platform.NewClient();

        var start = await browser.GetAsync($"/login/saml/{account.Key}/?returnUrl=%2Faccount%2Fsessions");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var toIdp = start.Headers.Location!;
        Assert.StartsWith(idp.Address.ToString(), toIdp.ToString());
        Assert.Contains("SAMLRequest=", toIdp.Query);

        var (action, fields) = SamlIdpFixture.ReadForm(await idp.Http.GetStringAsync(toIdp));
        Assert.Equal(account.AcsUrl, action);
        var posted = await browser.PostAsync(new Uri(action).AbsolutePath, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.StartsWith("/login/sso/complete?code=", posted.Headers.Location!.OriginalString);

        var complete = await browser.GetAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
        Assert.Equal("/account/sessions", complete.Headers.Location!.OriginalString);
        Assert.Contains(complete.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ap_session=") && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));

        var session = await browser.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal(user.Username, session.GetProperty("username").GetString());
        Assert.Equal(account.Key, session.GetProperty("account").GetString());

        // The code was single use: a second redemption, even by the same browser, gets nothing.
        var again = await browser.GetAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.succeeded" && e.Reason == "email-match");
    }

    [Fact]
    public async Task A_one_time_code_works_only_in_the_browser_that_passed_the_idp()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();
        using var thief = platform.NewClient();
        var requestId = await StartAsync(browser, account);
        var posted = await PostAcsAsync(browser, account, await MintAsync(account, requestId, "emp-" + user.Username, user.Email));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);

        var stolen = await thief.GetAsync(posted.Headers.Location);

        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        await AssertNoSessionAsync(thief);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "code-invalid");
        // The code is spent: the rightful browser does not get in with it afterwards either (fail closed).
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(posted.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task A_return_url_to_another_site_lands_on_the_home_page_instead()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();
        var requestId = await StartAsync(browser, account, returnUrl: "//evil.example/steal");

        var final = await SignInAsync(browser, account, await MintAsync(account, requestId, "emp-" + user.Username, user.Email));

        Assert.Equal("/", final.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task In_a_real_browser_the_sso_url_leads_through_the_idp_into_the_web_interface()
    {
        var account = await ConfigureAccountAsync();
        // An Account Manager, so the settings page can be shown too.
        var user = await platform.CreateUserAsync("sso", roles: ["AccountManager"], account: account.Key);
        // Same site as the gateway's public origin (localhost), as a company IdP would be reachable from the browser.
        var idpOnLocalhost = $"http://localhost:{idp.Address.Port}/sso";
        await account.PutSettingsAsync(idp, ssoUrl: $"{idpOnLocalhost}?nameId={Uri.EscapeDataString("emp-" + user.Username)}&email={Uri.EscapeDataString(user.Email)}");
        var publicOrigin = new Uri(account.SpEntityId).GetLeftPart(UriPartial.Authority);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await using var chromium = await SharedChromium.LeaseAsync();
        var page = await chromium.NewPageAsync(new Microsoft.Playwright.BrowserNewPageOptions { Locale = "en-US" });

        await page.GotoAsync($"{publicOrigin}/login/saml/{account.Key}/?returnUrl=%2Faccount%2Fsessions");
        // An Account Manager has a password: the first SSO sign-in confirms the link with it and the second factor (issue 12).
        await ConfirmLinkInBrowserAsync(page, user);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/sessions");
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sso-1-signed-in.png"), FullPage = true });

        var cookies = await page.Context.CookiesAsync();
        Assert.True(cookies.Single(c => c.Name == "ap_session").HttpOnly);
        Assert.DoesNotContain(cookies, c => c.Name == "ap_saml_req");
        Assert.DoesNotContain(cookies, c => c.Name == "ap_sso_bind");
        var session = await page.APIRequest.GetAsync($"{publicOrigin}/api/auth/session");
        Assert.Equal(200, session.Status);
        Assert.Contains(user.Username, await session.TextAsync());

        await page.GotoAsync($"{publicOrigin}/admin/sso");
        Assert.Equal(account.SpEntityId, await page.InnerTextAsync("#sso-url"));
        Assert.Equal(account.AcsUrl, await page.InnerTextAsync("#acs-url"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sso-2-settings.png"), FullPage = true });

        // A refusal: the IdP vouches for someone the account does not know (no JIT): a generic page, no session.
        await account.PutSettingsAsync(idp, ssoUrl: $"{idpOnLocalhost}?nameId=stranger&email=stranger%40example.test");
        var fresh = await chromium.NewPageAsync(new Microsoft.Playwright.BrowserNewPageOptions { Locale = "en-US" });
        await fresh.GotoAsync($"{publicOrigin}/login/saml/{account.Key}/");
        await fresh.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/login/saml/{account.Key}/acs");
        Assert.Equal(SsoRefusedTitle, await fresh.InnerTextAsync("h1"));
        await fresh.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sso-3-refused.png"), FullPage = true });
        Assert.DoesNotContain(await fresh.Context.CookiesAsync(), c => c.Name == "ap_session");
    }

    private const string SsoRefusedTitle = "Sign-in did not work";

    // ---- Mapping to users ----------------------------------------------------------------------------------------

    [Fact]
    public async Task The_first_sso_login_matches_the_user_by_email_and_later_logins_follow_the_stored_link()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        var nameId = "persistent-" + Guid.NewGuid().ToString("N");
        using (var first = platform.NewClient())
        {
            await SignInAsync(first, account, await MintAsync(account, await StartAsync(first, account), nameId, user.Email, nameIdFormat: PersistentFormat));
            Assert.Equal(user.Username, await UsernameAsync(first));
        }

        // The IdP now sends another email for the same NameID: the link decides, not the email.
        using var second = platform.NewClient();
        await SignInAsync(second, account, await MintAsync(account, await StartAsync(second, account), nameId, "changed-" + user.Email, nameIdFormat: PersistentFormat));

        Assert.Equal(user.Username, await UsernameAsync(second));
        var audit = await account.AuditAsync();
        Assert.Contains(audit, e => e.Type == "sso.succeeded" && e.Reason == "linked");
    }

    [Fact]
    public async Task An_email_of_a_user_in_another_account_does_not_match()
    {
        var account = await ConfigureAccountAsync();
        var outsider = await platform.CreateUserAsync("other");
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "x-" + outsider.Username, outsider.Email));

        await AssertRefusedAsync(browser, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "no-matching-user");
    }

    [Fact]
    public async Task With_jit_provisioning_a_new_identity_becomes_a_user_of_the_account_on_first_login()
    {
        var account = await ConfigureAccountAsync(jit: true);
        var email = $"new-{Guid.NewGuid():N}"[..16] + "@jit.example.test";
        using var browser = platform.NewClient();

        await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "jit-" + email, email, givenName: "Jit", surname: "User"));

        var session = await browser.GetFromJsonAsync<JsonElement>("/api/auth/session");
        // Issue 12: the username is the account key and 8 random base32 characters, never the asserted email.
        Assert.Matches($"^{account.Key}-[a-z2-7]{{8}}$", session.GetProperty("username").GetString());
        Assert.Equal(account.Key, session.GetProperty("account").GetString());
        Assert.Equal(new[] { "User" }, session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.succeeded" && e.Reason == "jit");
    }

    [Fact]
    public async Task Without_jit_provisioning_an_unknown_identity_is_refused_and_gets_no_session()
    {
        var account = await ConfigureAccountAsync(jit: false);
        var email = $"new-{Guid.NewGuid():N}"[..16] + "@jit.example.test";
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "jit-" + email, email));

        await AssertRefusedAsync(browser, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "no-matching-user");
    }

    [Theory]
    [InlineData(false, "active", "no-web-access")]
    [InlineData(true, "disabled", "user-disabled")]
    public async Task Web_access_and_disabled_status_still_apply_to_sso_logins(bool webAccess, string status, string reason)
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", webAccess: webAccess, status: status, account: account.Key);
        using var browser = platform.NewClient();

        var posted = await PostAcsAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email));

        await AssertRefusedAsync(browser, posted);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == reason);
    }

    // ---- Settings ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Enforce_sso_set_by_the_account_manager_reaches_login_api()
    {
        var account = await ConfigureAccountAsync();
        Assert.False(await SsoEnforcedAsync(account.Key));

        await account.PutSettingsAsync(idp, enforceSso: true);
        Assert.True(await SsoEnforcedAsync(account.Key));

        await account.PutSettingsAsync(idp, enforceSso: false);
        Assert.False(await SsoEnforcedAsync(account.Key));
    }

    [Fact]
    public async Task Login_api_internal_sso_endpoints_need_the_service_key_and_are_not_reachable_through_the_gateway()
    {
        using var loginApi = platform.ResourceClient("login-api", internalKey: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await loginApi.GetAsync("/internal/sso/accounts/testco")).StatusCode);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Put, "/internal/sso/accounts/testco/sso-enforced") { Content = JsonContent.Create(new { enforced = true }) };
        wrongKey.Headers.Add("X-Internal-Api-Key", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await loginApi.SendAsync(wrongKey)).StatusCode);

        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/internal/sso/accounts/testco")).StatusCode);
    }

    [Fact]
    public async Task During_a_certificate_rollover_both_certificates_are_trusted_and_afterwards_only_the_new_one()
    {
        var account = await ConfigureAccountAsync(certificates: ["primary", "secondary"]);
        var user = await SsoOnlyUserAsync(account);
        foreach (var key in new[] { "primary", "secondary" })
        {
            using var browser = platform.NewClient();
            await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email, key: key));
            Assert.Equal(user.Username, await UsernameAsync(browser));
        }

        await account.PutSettingsAsync(idp, certificates: ["secondary"]);
        using var late = platform.NewClient();
        var posted = await PostAcsAsync(late, account, await MintAsync(account, await StartAsync(late, account), "emp-" + user.Username, user.Email, key: "primary"));

        await AssertRefusedAsync(late, posted);
    }

    [Fact]
    public async Task The_account_manager_can_configure_sso_from_the_idp_metadata()
    {
        var account = await ConfigureAccountAsync();
        var response = await account.Admin.PutAsJsonAsync("/api/admin/sso", new { metadataXml = await idp.MetadataAsync(), jitProvisioning = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(SamlIdpFixture.EntityId, view.GetProperty("idpEntityId").GetString());
        Assert.Equal($"{idp.Address}sso", view.GetProperty("idpSsoUrl").GetString());
        Assert.Equal(1, view.GetProperty("idpCertificates").GetArrayLength());
        Assert.True(view.GetProperty("jitProvisioning").GetBoolean());
    }

    [Fact]
    public async Task The_settings_show_what_to_give_the_idp_and_the_metadata_endpoint_serves_it()
    {
        var account = await ConfigureAccountAsync();
        var view = await account.Admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var ssoUrl = view.GetProperty("ssoUrl").GetString()!;
        Assert.Matches($"^http://localhost:\\d+/login/saml/{account.Key}/$", ssoUrl);
        Assert.Equal(ssoUrl, view.GetProperty("spEntityId").GetString());
        Assert.Equal(ssoUrl + "acs", view.GetProperty("acsUrl").GetString());

        using var anyone = platform.NewClient();
        var metadata = await anyone.GetAsync($"/login/saml/{account.Key}/metadata");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var xml = await metadata.Content.ReadAsStringAsync();
        Assert.Contains($"entityID=\"{ssoUrl}\"", xml);
        Assert.Contains($"Location=\"{ssoUrl}acs\"", xml);
        Assert.Contains("<ds:X509Certificate>", xml);
        Assert.DoesNotContain("PRIVATE", xml);
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_a_problem_naming_each_field()
    {
        var account = await ConfigureAccountAsync();

        var response = await account.Admin.PutAsJsonAsync("/api/admin/sso",
            new { idpEntityId = "has spaces", idpSsoUrl = "ftp://idp.example/sso", certificates = new[] { "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ProblemAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("idpEntityId", out _));
        Assert.True(errors.TryGetProperty("idpSsoUrl", out _));
        Assert.True(errors.TryGetProperty("certificates[0]", out _));

        var badMetadata = await account.Admin.PutAsJsonAsync("/api/admin/sso", new { metadataXml = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>" });
        Assert.Equal(HttpStatusCode.BadRequest, badMetadata.StatusCode);
        Assert.True((await badMetadata.ProblemAsync()).GetProperty("errors").TryGetProperty("metadataXml", out _));

        var threeCertificates = await account.Admin.PutAsJsonAsync("/api/admin/sso", new
        {
            idpEntityId = SamlIdpFixture.EntityId, idpSsoUrl = $"{idp.Address}sso",
            certificates = SamlIdpFixture.KeyNames.Select(idp.CertificatePem).ToArray(),
        });
        Assert.Equal(HttpStatusCode.BadRequest, threeCertificates.StatusCode);

        var notJson = await account.Admin.PutAsync("/api/admin/sso", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        await notJson.ProblemAsync();
    }

    [Fact]
    public async Task Only_an_account_manager_of_the_account_may_read_or_change_its_sso_settings()
    {
        using var anonymous = platform.NewClient();
        var unauthenticated = await anonymous.GetAsync("/api/admin/sso");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        await unauthenticated.ProblemAsync();

        var plain = await platform.CreateUserAsync("plain");
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(plain.Username, plain.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/admin/sso")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync("/api/admin/sso", new { idpEntityId = "x" })).StatusCode);

        var page = await anonymous.GetAsync("/admin/sso");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login?returnUrl=", page.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_settings_page_shows_the_sso_url_and_refuses_a_post_without_the_antiforgery_token()
    {
        var account = await ConfigureAccountAsync();

        var page = await account.Admin.GetAsync("/admin/sso");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"/login/saml/{account.Key}/</code>", html);
        Assert.Contains("__RequestVerificationToken", html);

        var forged = await account.Admin.PostAsync("/admin/sso", new FormUrlEncodedContent(new Dictionary<string, string> { ["EnforceSso"] = "true" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(await SsoEnforcedAsync(account.Key));

        // With the token the page saves, and validates like the API.
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var saved = await account.Admin.PostAsync("/admin/sso", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["IdpEntityId"] = SamlIdpFixture.EntityId,
            ["IdpSsoUrl"] = $"{idp.Address}sso",
            ["Certificate1"] = idp.CertificatePem("primary"),
            ["EnforceSso"] = "true",
        }));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("The settings are saved.", await saved.Content.ReadAsStringAsync());
        Assert.True(await SsoEnforcedAsync(account.Key));
    }

    [Fact]
    public async Task Unknown_and_unconfigured_accounts_get_the_same_friendly_page()
    {
        var unconfigured = "sso-" + Guid.NewGuid().ToString("N")[..8];
        await platform.CreateUserAsync("x", account: unconfigured);
        using var browser = platform.NewClient();

        foreach (var path in new[] { "/login/saml/no-such-account-here/", $"/login/saml/{unconfigured}/", "/login/saml/BAD..key/" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Single sign-on is not available", await response.Content.ReadAsStringAsync());
        }
        var acs = await browser.PostAsync("/login/saml/no-such-account-here/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = "x" }));
        Assert.Equal(HttpStatusCode.NotFound, acs.StatusCode);
    }

    // ---- Hostile responses ---------------------------------------------------------------------------------------

    public static TheoryData<string> HostileCases =>
    [
        "unsigned", "other-key", "sha1", "xsw1", "xsw2", "xsw3", "xsw4", "xsw5", "xsw6", "xsw7", "xsw8", "nameid-comment",
        "two-assertions", "expired", "not-yet-valid", "wrong-audience", "wrong-recipient", "wrong-destination", "wrong-issuer",
        "in-response-to-other-browser", "no-in-response-to", "dtd", "oversized", "not-base64",
    ];

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task A_hostile_response_is_refused_and_leaves_no_session(string hostile)
    {
        var account = await HostileAccountAsync();
        var victim = account.Victim!;
        using var browser = platform.NewClient();
        var requestId = await StartAsync(browser, account);
        var attackerEmail = $"attacker-{Guid.NewGuid():N}"[..20] + "@evil.example.test";

        Task<string> Genuine(bool signResponse = false) =>
            MintAsync(account, requestId, "emp-" + attackerEmail, attackerEmail, signResponse: signResponse, signAssertion: !signResponse);
        Task<string> Victims(MintRequest? shape = null) => idp.MintAsync((shape ?? Mint(account, requestId, "emp-" + victim.Username, victim.Email)));
        MintRequest VictimShape() => Mint(account, requestId, "emp-" + victim.Username, victim.Email);

        var (samlResponse, expectedReason) = hostile switch
        {
            "unsigned" => (SamlTampering.Unsigned(await Victims()), "saml-not-signed"),
            "other-key" => (await Victims(VictimShape() with { Key = "attacker" }), "saml-untrusted-certificate"),
            "sha1" => (await Victims(VictimShape() with { Algorithm = "sha1" }), "saml-weak-algorithm"),
            "xsw1" or "xsw2" => (SamlTampering.Xsw(await Genuine(signResponse: true), hostile[^1] - '0', victim.Email), null),
            ['x', 's', 'w', _] => (SamlTampering.Xsw(await Genuine(), hostile[^1] - '0', victim.Email), null),
            "nameid-comment" => (SamlTampering.CommentInNameId(
                await idp.MintAsync(Mint(account, requestId, victim.Email + ".evil.example.test", email: null)), victim.Email), "no-matching-user"),
            "two-assertions" => (SamlTampering.TwoAssertions(await Victims()), "saml-assertion-count"),
            "expired" => (await Victims(VictimShape() with
            {
                ShiftMinutes = new() { ["ConditionsNotBefore"] = -20, ["ConditionsNotOnOrAfter"] = -10, ["SubjectConfirmationDataNotOnOrAfter"] = -10 },
            }), "saml-expired"),
            "not-yet-valid" => (await Victims(VictimShape() with { ShiftMinutes = new() { ["ConditionsNotBefore"] = 10 } }), "saml-not-yet-valid"),
            "wrong-audience" => (await Victims(VictimShape() with { Overrides = new() { ["Audience"] = "http://localhost/login/saml/other/" } }), "saml-audience-mismatch"),
            "wrong-recipient" => (await Victims(VictimShape() with { Overrides = new() { ["SubjectRecipient"] = "http://localhost/login/saml/other/acs" } }), "saml-recipient-mismatch"),
            "wrong-destination" => (await Victims(VictimShape() with { Overrides = new() { ["Destination"] = "http://localhost/login/saml/other/acs" } }), "saml-destination-mismatch"),
            "wrong-issuer" => (await Victims(VictimShape() with { Overrides = new() { ["Issuer"] = "https://evil-idp.example.test/saml" } }), "saml-issuer-mismatch"),
            "in-response-to-other-browser" => (await OtherBrowsersResponseAsync(account, victim), "saml-in-response-to-mismatch"),
            "no-in-response-to" => (await Victims(VictimShape() with { InResponseTo = null }), "saml-in-response-to-mismatch"),
            "dtd" => (SamlTampering.WithDtd(await Victims()), "saml-dtd-prohibited"),
            "oversized" => (SamlTampering.Oversized(await Victims()), "saml-too-large"),
            "not-base64" => ("<samlp:Response/>", "saml-malformed"),
            _ => throw new ArgumentOutOfRangeException(nameof(hostile)),
        };

        var posted = await PostAcsAsync(browser, account, samlResponse);

        await AssertRefusedAsync(browser, posted);
        var refusal = (await account.AuditAsync()).FirstOrDefault(e => e.Type is "sso.refused" or "sso.succeeded");
        Assert.NotNull(refusal);
        Assert.Equal("sso.refused", refusal.Type);
        if (expectedReason is not null)
        {
            Assert.Equal(expectedReason, refusal.Reason);
        }
        else
        {
            Assert.StartsWith("saml-", refusal.Reason);
        }
    }

    [Fact]
    public async Task A_replayed_response_is_refused_even_where_idp_initiated_login_is_allowed()
    {
        var account = await ConfigureAccountAsync(allowIdpInitiated: true);
        var user = await SsoOnlyUserAsync(account);
        var unsolicited = await MintAsync(account, requestId: null, "emp-" + user.Username, user.Email);
        using (var first = platform.NewClient())
        {
            await SignInAsync(first, account, unsolicited);
            Assert.Equal(user.Username, await UsernameAsync(first));
        }

        using var replayer = platform.NewClient();
        var replay = await PostAcsAsync(replayer, account, unsolicited);

        await AssertRefusedAsync(replayer, replay);
        Assert.Equal("saml-replay", (await account.AuditAsync()).First(e => e.Type == "sso.refused").Reason);
    }

    [Fact]
    public async Task A_genuine_response_answering_a_request_cannot_be_used_twice_by_the_same_browser()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();
        var response = await MintAsync(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email);
        await SignInAsync(browser, account, response);
        await browser.PostAsync("/api/auth/logout", null);

        var again = await PostAcsAsync(browser, account, response);

        await AssertRefusedAsync(browser, again);
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private const string PersistentFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

    private static readonly SemaphoreSlim HostileSetup = new(1, 1);
    private static SsoAccount? hostileAccount;

    /// <summary>One account for every hostile case, with a victim user the attacks aim at.</summary>
    private async Task<SsoAccount> HostileAccountAsync()
    {
        await HostileSetup.WaitAsync();
        try
        {
            if (hostileAccount is null)
            {
                var account = await ConfigureAccountAsync();
                var victim = await platform.CreateUserAsync("victim", account: account.Key, withPassword: false);
                hostileAccount = account with { Victim = victim };
            }
            return hostileAccount;
        }
        finally
        {
            HostileSetup.Release();
        }
    }

    private async Task<string> OtherBrowsersResponseAsync(SsoAccount account, TestUser victim)
    {
        using var other = platform.NewClient();
        var othersRequest = await StartAsync(other, account);
        return await MintAsync(account, othersRequest, "emp-" + victim.Username, victim.Email);
    }

    /// <summary>A fresh account with an Account Manager who configured SSO for the test IdP.</summary>
    /// <summary>
    /// A user invited for SSO only (no password): with the account's "link existing users by email" on, the first SSO
    /// sign-in links it by email. Users with a password confirm on the link page instead (SsoTests.Linking.cs).
    /// </summary>
    private Task<TestUser> SsoOnlyUserAsync(SsoAccount account) => platform.CreateUserAsync("sso", account: account.Key, withPassword: false);

    /// <param name="linkByEmail">The connection's "link existing users by email"; on here so password-less users sign in by email (off by default in the product).</param>
    private async Task<SsoAccount> ConfigureAccountAsync(bool jit = false, bool allowIdpInitiated = false, string[]? certificates = null, bool linkByEmail = true)
    {
        var key = "sso-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var account = new SsoAccount(key, admin, view.GetProperty("spEntityId").GetString()!, view.GetProperty("acsUrl").GetString()!)
        {
            Jit = jit,
            AllowIdpInitiated = allowIdpInitiated,
            Certificates = certificates ?? ["primary"],
            LinkByEmail = linkByEmail,
            Manager = manager,
        };
        await account.PutSettingsAsync(idp);
        return account;
    }

    /// <summary>Starts SP-initiated login in the browser; returns the AuthnRequest id the IdP must answer.</summary>
    private static async Task<string> StartAsync(HttpClient browser, SsoAccount account, string returnUrl = "/")
    {
        var start = await browser.GetAsync($"/login/saml/{account.Key}/?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        return SamlIdpFixture.RequestIdOf(start.Headers.Location!);
    }

    private static MintRequest Mint(SsoAccount account, string? requestId, string nameId, string? email, string? nameIdFormat = null) => new()
    {
        SpEntityId = account.SpEntityId,
        AcsUrl = account.AcsUrl,
        InResponseTo = requestId,
        NameId = nameId,
        NameIdFormat = nameIdFormat,
        Email = email,
    };

    private Task<string> MintAsync(SsoAccount account, string? requestId, string nameId, string? email, string key = "primary",
        bool signResponse = false, bool signAssertion = true, string? nameIdFormat = null, string? givenName = null, string? surname = null) =>
        idp.MintAsync(Mint(account, requestId, nameId, email, nameIdFormat) with
        {
            Key = key, SignResponse = signResponse, SignAssertion = signAssertion, GivenName = givenName, Surname = surname,
        });

    private static Task<HttpResponseMessage> PostAcsAsync(HttpClient browser, SsoAccount account, string samlResponse) =>
        browser.PostAsync($"/login/saml/{account.Key}/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = samlResponse }));

    /// <summary>Posts the response and redeems the code; returns the final redirect.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, SsoAccount account, string samlResponse)
    {
        var posted = await PostAcsAsync(browser, account, samlResponse);
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var complete = await browser.GetAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
        return complete;
    }

    private static async Task<string?> UsernameAsync(HttpClient browser) =>
        (await browser.GetFromJsonAsync<JsonElement>("/api/auth/session")).GetProperty("username").GetString();

    /// <summary>The generic refusal page (or the gateway's own refusal), no code, no session cookie, no session.</summary>
    private static async Task AssertRefusedAsync(HttpClient browser, HttpResponseMessage posted)
    {
        Assert.NotEqual(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.False(posted.IsSuccessStatusCode);
        if (posted.StatusCode == HttpStatusCode.Forbidden)
        {
            var html = await posted.Content.ReadAsStringAsync();
            Assert.Contains(SsoRefusedTitle, html);
            Assert.DoesNotContain("saml-", html);
        }
        Assert.False(posted.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_session=")));
        await AssertNoSessionAsync(browser);
    }

    private static async Task AssertNoSessionAsync(HttpClient browser) =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/auth/session")).StatusCode);

    private async Task<bool> SsoEnforcedAsync(string account)
    {
        using var loginApi = platform.ResourceClient("login-api");
        using var response = await loginApi.GetAsync($"/internal/sso/accounts/{account}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ssoEnforced").GetBoolean();
    }
}

public sealed record AuditEntry(string Type, string? Reason);

/// <summary>An account with SSO for the test IdP, and its Account Manager's signed-in client.</summary>
public sealed record SsoAccount(string Key, HttpClient Admin, string SpEntityId, string AcsUrl)
{
    public bool Jit { get; init; }
    public bool AllowIdpInitiated { get; init; }
    public string[] Certificates { get; init; } = ["primary"];
    public TestUser? Victim { get; init; }
    public bool LinkByEmail { get; init; }

    /// <summary>The IdP's single logout URL (HTTP-Redirect), if the test gives one.</summary>
    public string? SloUrl { get; init; }

    /// <summary>The Account Manager who configured SSO (signed in as <see cref="Admin"/>).</summary>
    public TestUser? Manager { get; init; }

    public async Task PutSettingsAsync(SamlIdpFixture idp, string? ssoUrl = null, bool enforceSso = false, string[]? certificates = null)
    {
        var response = await Admin.PutAsJsonAsync("/api/admin/sso", new
        {
            idpEntityId = SamlIdpFixture.EntityId,
            idpSsoUrl = ssoUrl ?? $"{idp.Address}sso",
            certificates = (certificates ?? Certificates).Select(idp.CertificatePem).ToArray(),
            enforceSso,
            jitProvisioning = Jit,
            allowIdpInitiated = AllowIdpInitiated,
            linkExistingUsersByEmail = LinkByEmail,
            idpSloUrl = SloUrl,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The account's newest audit events, newest first.</summary>
    public async Task<AuditEntry[]> AuditAsync() =>
        await Admin.GetFromJsonAsync<AuditEntry[]>("/api/admin/audit?limit=20", PlatformFixture.JsonOptions) ?? [];
}
