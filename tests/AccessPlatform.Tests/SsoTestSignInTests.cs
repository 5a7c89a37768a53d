using System.Text.Json;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// The "Test sign-in" button of the SSO settings (issue 16): an SP-initiated login in a new tab that ends on a result
/// page, never in a session; nothing is linked or created; audited as a test. Only an Account Manager starts one, and
/// the test flag lives in the encrypted pending-request cookie, so a real login cannot be turned into a test or back.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SsoTestSignInTests(PlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>
{
    [Fact]
    public async Task In_a_browser_the_test_button_shows_a_good_and_a_refused_result_in_english_and_german_and_links_nothing()
    {
        var (admin, manager, key) = await ManagerAsync();
        var target = await platform.CreateUserAsync("tst", account: key, withPassword: false);
        var idpOnLocalhost = $"http://localhost:{idp.Address.Port}/sso";
        await PutAsync(admin, $"{idpOnLocalhost}?nameId={Uri.EscapeDataString("emp-" + target.Username)}&email={Uri.EscapeDataString(target.Email)}&givenName=Ada&surname=Lovelace");
        var spEntityId = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso")).GetProperty("spEntityId").GetString()!;
        var publicOrigin = new Uri(spEntityId).GetLeftPart(UriPartial.Authority);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await using var chromium = await SharedChromium.LeaseAsync();
        var context = await chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = publicOrigin }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{publicOrigin}/login");
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.GotoAsync($"{publicOrigin}/admin/sso");

        // A good assertion: valid, NameID, attributes and their mapping, and the user it would sign in as.
        var result = await page.RunAndWaitForPopupAsync(() => page.ClickAsync("#test-sign-in"));
        await result.WaitForSelectorAsync("#test-outcome");
        Assert.Equal("true", await result.GetAttributeAsync("#test-validation", "data-valid"));
        Assert.Equal("emp-" + target.Username, await result.InnerTextAsync("#test-name-id"));
        Assert.Contains("email", await result.InnerTextAsync("#test-attributes"));
        Assert.Equal(target.Email, await result.InnerTextAsync("#test-map-email"));
        Assert.Equal("Ada", await result.InnerTextAsync("#test-map-given-name"));
        Assert.Equal("Lovelace", await result.InnerTextAsync("#test-map-family-name"));
        Assert.Equal("email-match", await result.GetAttributeAsync("#test-outcome", "data-outcome"));
        Assert.Contains(target.Username, await result.InnerTextAsync("#test-outcome"));
        Assert.Equal("Test sign-in result", await result.InnerTextAsync("h1"));
        await Accessibility.AssertNoViolationsAsync(result);
        await result.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sso-test-1-good-en.png"), FullPage = true });
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "ap_sso_bind");

        // A refused one, in German: the IdP vouches for someone the account does not know (no JIT).
        await PutAsync(admin, $"{idpOnLocalhost}?nameId=stranger&email=stranger%40example.test");
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = "c=de|uic=de", Url = publicOrigin }]);
        await page.GotoAsync($"{publicOrigin}/admin/sso");
        await Accessibility.AssertNoViolationsAsync(page);
        var refused = await page.RunAndWaitForPopupAsync(() => page.ClickAsync("#test-sign-in"));
        await refused.WaitForSelectorAsync("#test-outcome");
        Assert.Equal("refused", await refused.GetAttributeAsync("#test-outcome", "data-outcome"));
        Assert.Contains("no-matching-user", await refused.InnerTextAsync("#test-outcome"));
        Assert.Equal("Ergebnis der Test-Anmeldung", await refused.InnerTextAsync("h1"));
        await Accessibility.AssertNoViolationsAsync(refused);
        await refused.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sso-test-2-refused-de.png"), FullPage = true });

        // Nothing was linked or created; both tests are audited as tests, with the tester.
        var audit = await admin.GetFromJsonAsync<AuditEntry[]>("/api/admin/audit?limit=20", PlatformFixture.JsonOptions) ?? [];
        Assert.Contains(audit, e => e.Type == "sso.test_sign_in" && e.Reason == "email-match");
        Assert.Contains(audit, e => e.Type == "sso.test_sign_in" && e.Reason == "refused:no-matching-user");
        Assert.DoesNotContain(audit, e => e.Type is "sso.linked" or "sso.succeeded" or "sso.user_provisioned");
        await using var db = new Npgsql.NpgsqlConnection(await platform.App.GetConnectionStringAsync("login-db"));
        await db.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM sso_links WHERE user_id = @id", db);
        count.Parameters.AddWithValue("id", target.Id);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_user_who_is_not_an_account_manager_cannot_start_a_test_sign_in()
    {
        var (admin, _, key) = await ManagerAsync();
        await PutAsync(admin, $"{idp.Address}sso");
        var user = await platform.CreateUserAsync("tst-user", account: key);
        using var attacker = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await attacker.LoginAsync(user.Username, user.Password)).StatusCode);
        // The manager's page (and its antiforgery token) is what the attacker would need; a user does not get it.
        Assert.NotEqual(HttpStatusCode.OK, (await attacker.GetAsync("/admin/sso")).StatusCode);
        var managerPage = await admin.GetStringAsync("/admin/sso");

        var response = await attacker.PostAsync("/admin/sso?handler=TestSignIn",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(managerPage) }));

        Assert.False(response.Headers.Location?.ToString().StartsWith(idp.Address.ToString()) ?? false, "no AuthnRequest for a non-manager");
        Assert.True((int)response.StatusCode is 400 or 401 or 403 || response.Headers.Location?.PathOnly() is "/login", response.StatusCode.ToString());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_saml_req=")));
        var audit = await admin.GetFromJsonAsync<AuditEntry[]>("/api/admin/audit?limit=20", PlatformFixture.JsonOptions) ?? [];
        Assert.DoesNotContain(audit, e => e.Type == "sso.test_sign_in");
    }

    [Fact]
    public async Task A_test_sign_in_never_yields_a_session_and_a_real_login_cannot_be_turned_into_a_test()
    {
        var (admin, _, key) = await ManagerAsync();
        await PutAsync(admin, $"{idp.Address}sso");
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var user = await platform.CreateUserAsync("tst-real", account: key, withPassword: false);

        // A test, answered by a good assertion: the result page, no code, no binding cookie, no session.
        var started = await StartTestAsync(admin);
        var test = await PostAcsAsync(admin, key, await MintAsync(view, started, "emp-" + user.Username, user.Email));
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.Contains("data-outcome=\"email-match\"", await test.Content.ReadAsStringAsync());
        Assert.Null(test.Headers.Location);
        Assert.False(test.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("ap_sso_bind=") || c.StartsWith("ap_session=")));

        // A test answered by a response the IdP's key did not sign: refused in words, with the reason code.
        var forged = await PostAcsAsync(admin, key, await MintAsync(view, await StartTestAsync(admin), "emp-" + user.Username, user.Email, "attacker"));
        var forgedPage = await forged.Content.ReadAsStringAsync();
        Assert.Contains("data-valid=\"false\"", forgedPage);
        Assert.Contains("saml-untrusted-certificate", forgedPage);

        // A real login with whatever "test" parameters an attacker adds stays a real login (303 to the session).
        using var browser = platform.NewClient();
        var real = await browser.GetAsync($"/login/saml/{key}/?test=1&testerId={Guid.Empty}&handler=TestSignIn");
        var posted = await PostAcsAsync(browser, key, await MintAsync(view, SamlIdpFixture.RequestIdOf(real.Headers.Location!), "emp-" + user.Username, user.Email));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.StartsWith("/login/sso/complete?code=", posted.Headers.Location!.OriginalString);

        var audit = await admin.GetFromJsonAsync<AuditEntry[]>("/api/admin/audit?limit=20", PlatformFixture.JsonOptions) ?? [];
        Assert.Contains(audit, e => e.Type == "sso.test_sign_in" && e.Reason == "refused:saml-untrusted-certificate");
        Assert.Single(audit, e => e.Type == "sso.linked");
    }

    private async Task<string> StartTestAsync(HttpClient admin)
    {
        var page = await admin.GetStringAsync("/admin/sso");
        var response = await admin.PostAsync("/admin/sso?handler=TestSignIn",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(page) }));
        // A same-origin page that goes on to the IdP (a form's redirect to another origin would break form-action 'self').
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var link = System.Text.RegularExpressions.Regex.Match(html, "id=\"continue-to-idp\" href=\"([^\"]+)\"");
        Assert.True(link.Success, "no link to the IdP");
        var idpUrl = new Uri(System.Net.WebUtility.HtmlDecode(link.Groups[1].Value));
        Assert.StartsWith(idp.Address.ToString(), idpUrl.ToString());
        Assert.Contains($"url={link.Groups[1].Value}", html);
        return SamlIdpFixture.RequestIdOf(idpUrl);
    }

    private Task<string> MintAsync(JsonElement view, string requestId, string nameId, string email, string key = "primary") =>
        idp.MintAsync(new MintRequest
        {
            SpEntityId = view.GetProperty("spEntityId").GetString()!, AcsUrl = view.GetProperty("acsUrl").GetString()!,
            InResponseTo = requestId, NameId = nameId, Email = email, Key = key,
        });

    private static Task<HttpResponseMessage> PostAcsAsync(HttpClient browser, string key, string samlResponse) =>
        browser.PostAsync($"/login/saml/{key}/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = samlResponse }));

    private async Task PutAsync(HttpClient admin, string ssoUrl)
    {
        var response = await admin.PutAsJsonAsync("/api/admin/sso", new
        {
            idpEntityId = SamlIdpFixture.EntityId, idpSsoUrl = ssoUrl, certificates = new[] { idp.CertificatePem("primary") },
            linkExistingUsersByEmail = true,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpClient Admin, TestUser Manager, string Key)> ManagerAsync()
    {
        var key = "tst-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        return (admin, manager, key);
    }
}

internal static class UriPaths
{
    public static string PathOnly(this Uri uri) => uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];
}
