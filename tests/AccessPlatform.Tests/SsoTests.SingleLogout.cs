using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// Single logout through the gateway with the independent IdP (samlify): SP-initiated (the platform session ends first,
/// samlify verifies our signed LogoutRequest, its signed LogoutResponse lands on the signed-out page) and IdP-initiated
/// (every session of the NameID ends, samlify verifies our signed LogoutResponse), and the attacks on the SLO endpoint:
/// forged or unsigned IdP LogoutRequests and a DEFLATE bomb end nothing (security checklist: SAML message signature,
/// replay, ASVS 5.2.3 / CWE-409 decompression bombs, ASVS 7.4.1 session termination).
/// </summary>
public sealed partial class SsoTests
{
    private const string SignedOutTitle = "Signed out";

    private async Task<SsoAccount> ConfigureSloAccountAsync()
    {
        var account = await ConfigureAccountAsync() with { SloUrl = $"{idp.Address}slo" };
        await account.PutSettingsAsync(idp);
        return account;
    }

    /// <summary>Signs the user in by SSO in <paramref name="browser"/> with the NameID emp-{username} and the given SessionIndex.</summary>
    private async Task SignInWithSessionIndexAsync(HttpClient browser, SsoAccount account, TestUser user, string sessionIndex)
    {
        var requestId = await StartAsync(browser, account);
        var response = await idp.MintAsync(Mint(account, requestId, "emp-" + user.Username, user.Email) with
        {
            Overrides = new Dictionary<string, string> { ["SessionIndex"] = sessionIndex },
        });
        await SignInAsync(browser, account, response);
        Assert.Equal(user.Username, await UsernameAsync(browser));
    }

    private static string PathAndQuery(Uri url) => url.PathAndQuery;

    [Fact]
    public async Task Sp_initiated_logout_ends_the_session_first_then_the_idp_verifies_our_signed_logout_request_and_answers_to_signed_out()
    {
        var account = await ConfigureSloAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();
        var sessionIndex = "_sidx-" + Guid.NewGuid().ToString("N");
        await SignInWithSessionIndexAsync(browser, account, user, sessionIndex);

        var logout = await browser.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        var next = (await logout.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirectUrl").GetString()!;
        Assert.StartsWith($"/login/saml/{account.Key}/logout?ticket=", next);
        // Ended before anything else happens: whatever the IdP does, the platform session is gone.
        await AssertNoSessionAsync(browser);

        var toIdp = await browser.GetAsync(next);
        Assert.Equal(HttpStatusCode.Redirect, toIdp.StatusCode);
        Assert.StartsWith($"{idp.Address}slo?SAMLRequest=", toIdp.Headers.Location!.ToString());
        // The ticket is single use.
        Assert.Equal($"/login?signedOut=true", (await browser.GetAsync(next)).Headers.Location!.OriginalString);

        // samlify checks the query signature with the certificate of our SP metadata, then reads NameID and SessionIndex.
        using var atIdp = await idp.NoRedirectHttp.GetAsync(toIdp.Headers.Location);
        Assert.True(atIdp.StatusCode == HttpStatusCode.Redirect, await atIdp.Content.ReadAsStringAsync());
        Assert.Equal("emp-" + user.Username, Uri.UnescapeDataString(atIdp.Headers.GetValues("x-logout-name-id").Single()));
        Assert.Equal(sessionIndex, Uri.UnescapeDataString(atIdp.Headers.GetValues("x-logout-session-index").Single()));
        Assert.Equal("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", atIdp.Headers.GetValues("x-logout-sig-alg").Single());
        var back = atIdp.Headers.Location!;
        Assert.Equal(account.SpEntityId + "slo", back.GetLeftPart(UriPartial.Path));

        var signedOut = await browser.GetAsync(PathAndQuery(back));

        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        var html = await signedOut.Content.ReadAsStringAsync();
        Assert.Contains(SignedOutTitle, html);
        Assert.Contains("and of your company", html);
        // The response answered our request once: the same response again is refused (the pending request is spent).
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(PathAndQuery(back))).StatusCode);
        var audit = await account.AuditAsync();
        Assert.Contains(audit, e => e.Type == "sso.slo_sent" && e.Reason == "sp-initiated");
        Assert.Contains(audit, e => e.Type == "sso.slo_completed" && e.Reason == "success");
        Assert.Contains(audit, e => e.Type == "sso.slo_refused" && e.Reason == "saml-in-response-to-mismatch");
    }

    [Fact]
    public async Task A_password_session_or_an_idp_without_single_logout_signs_out_as_before()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        using var browser = platform.NewClient();
        await SignInWithSessionIndexAsync(browser, account, user, "_s-" + Guid.NewGuid().ToString("N"));

        var logout = await browser.PostAsync("/api/auth/logout", null);
        var next = (await logout.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("redirectUrl").GetString()!;
        await AssertNoSessionAsync(browser);

        // No SingleLogoutService at the IdP (Google Workspace has none): the ordinary signed-out page, no request sent.
        var continued = await browser.GetAsync(next);
        Assert.Equal(HttpStatusCode.Redirect, continued.StatusCode);
        Assert.Equal("/login?signedOut=true", continued.Headers.Location!.OriginalString);
        Assert.DoesNotContain(await account.AuditAsync(), e => e.Type == "sso.slo_sent");

        using var passwordClient = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await passwordClient.LoginAsync(account.Manager!.Username, account.Manager.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await passwordClient.PostAsync("/api/auth/logout", null)).StatusCode);
    }

    [Fact]
    public async Task Idp_initiated_logout_ends_every_session_of_that_name_id_and_the_idp_verifies_our_signed_logout_response()
    {
        var account = await ConfigureSloAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        var bystander = await SsoOnlyUserAsync(account);
        using var laptop = platform.NewClient();
        using var phone = platform.NewClient();
        using var other = platform.NewClient();
        await SignInWithSessionIndexAsync(laptop, account, user, "_laptop");
        await SignInWithSessionIndexAsync(phone, account, user, "_phone");
        await SignInWithSessionIndexAsync(other, account, bystander, "_other");
        var spMetadata = await platform.NewClient().GetStringAsync($"/login/saml/{account.Key}/metadata");

        var (requestId, url) = await idp.LogoutRequestAsync(spMetadata, "emp-" + user.Username);
        Assert.Equal(account.SpEntityId + "slo", url.GetLeftPart(UriPartial.Path));
        // The IdP sends it through the browser; this one has no session of its own.
        using var browser = platform.NewClient();
        var answered = await browser.GetAsync(PathAndQuery(url));

        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        await AssertNoSessionAsync(laptop);
        await AssertNoSessionAsync(phone);
        Assert.Equal(bystander.Username, await UsernameAsync(other));
        var response = await idp.ParseLogoutResponseAsync(spMetadata, answered.Headers.Location!);
        Assert.Equal(requestId, response.GetProperty("inResponseTo").GetString());
        Assert.Equal($"{idp.Address}slo", response.GetProperty("destination").GetString());
        Assert.Equal(account.SpEntityId, response.GetProperty("issuer").GetString());
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.slo_idp_initiated" && e.Reason == "sessions-ended-2");

        // Replayed: refused, audited.
        var replay = await browser.GetAsync(PathAndQuery(url));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.slo_refused" && e.Reason == "saml-replay");
    }

    [Fact]
    public async Task Forged_idp_logout_request_signed_with_another_key_or_unsigned_ends_no_session()
    {
        var account = await ConfigureSloAccountAsync();
        var victim = await SsoOnlyUserAsync(account);
        using var victimBrowser = platform.NewClient();
        await SignInWithSessionIndexAsync(victimBrowser, account, victim, "_victim");
        var spMetadata = await platform.NewClient().GetStringAsync($"/login/saml/{account.Key}/metadata");
        using var attacker = platform.NewClient();

        // samlify signs with the attacker's key (a certificate the account never configured).
        var (_, forged) = await idp.LogoutRequestAsync(spMetadata, "emp-" + victim.Username, key: "attacker");
        var forgedAnswer = await attacker.GetAsync(PathAndQuery(forged));
        // The same request with its signature stripped.
        var unsigned = PathAndQuery(forged).Split('&').Where(p => !p.StartsWith("SigAlg=") && !p.StartsWith("Signature=")).Aggregate((a, b) => a + "&" + b);
        var unsignedAnswer = await attacker.GetAsync(unsigned);

        Assert.Equal(HttpStatusCode.BadRequest, forgedAnswer.StatusCode);
        Assert.Equal("application/problem+json", forgedAnswer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, unsignedAnswer.StatusCode);
        Assert.Equal(victim.Username, await UsernameAsync(victimBrowser));
        var audit = await account.AuditAsync();
        Assert.Contains(audit, e => e.Type == "sso.slo_refused" && e.Reason == "saml-signature-invalid");
        Assert.Contains(audit, e => e.Type == "sso.slo_refused" && e.Reason == "saml-not-signed");
        Assert.DoesNotContain(audit, e => e.Type == "sso.slo_idp_initiated");
    }

    [Fact]
    public async Task Deflate_bomb_in_the_redirect_binding_is_refused_with_4xx_and_ends_nothing()
    {
        var account = await ConfigureSloAccountAsync();
        var victim = await SsoOnlyUserAsync(account);
        using var victimBrowser = platform.NewClient();
        await SignInWithSessionIndexAsync(victimBrowser, account, victim, "_victim");
        // A LogoutRequest for the victim followed by 1 MB of zeros: about 1 KB compressed, so it fits in a URL.
        var xml = $"""<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_bomb{Guid.NewGuid():N}" Version="2.0" IssueInstant="{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}" Destination="{account.SpEntityId}slo"><saml:Issuer>{SamlIdpFixture.EntityId}</saml:Issuer><saml:NameID>emp-{victim.Username}</saml:NameID></samlp:LogoutRequest>""";
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(xml));
            deflate.Write(new byte[1024 * 1024]);
        }
        Assert.InRange(compressed.Length, 1, 4096);
        using var attacker = platform.NewClient();

        // Even with the IdP's own signature (a compromised or broken IdP), the inflater stops at 64 KiB.
        var signedBomb = await attacker.GetAsync($"/login/saml/{account.Key}/slo?" + idp.SignedRedirectQuery("SAMLRequest", compressed.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, signedBomb.StatusCode);
        Assert.Equal("application/problem+json", signedBomb.Content.Headers.ContentType?.MediaType);
        Assert.Equal(victim.Username, await UsernameAsync(victimBrowser));
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.slo_refused" && e.Reason == "saml-too-large");
    }
}
