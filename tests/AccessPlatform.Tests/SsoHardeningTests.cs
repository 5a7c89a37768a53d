using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Xml;
using Npgsql;
using StackExchange.Redis;

namespace AccessPlatform.Tests;

/// <summary>
/// Issue 12 (findings 4, 5, 7), through the gateway as an attacker or an IdP would send it: the cost of
/// unauthenticated SAML requests, time windows of assertions, and the SP signing keys (at rest, rollover).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SsoHardeningTests(PlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>
{
    // ---- Cost of unauthenticated requests (ASVS 2.4.1, 11.1.4) ---------------------------------------------------

    [Fact]
    public async Task A_flood_of_saml_gets_from_one_address_is_limited_and_leaves_redis_bounded()
    {
        var account = await ConfigureAccountAsync();
        await using var redis = await ConnectRedisAsync();
        var before = await CountKeysAsync(redis, "saml-*");
        using var attacker = platform.NewClient(cookies: false);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await attacker.GetAsync($"/login/saml/{account.Key}/");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter is not null);
            }
        }

        // The configured budget is served, then every further GET of the minute is refused at the gateway.
        Assert.All(statuses.Take(PlatformFixture.SamlReadBudget), s => Assert.Equal(HttpStatusCode.Redirect, s));
        Assert.All(statuses.Skip(PlatformFixture.SamlReadBudget), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        // The pending requests live in the browsers' cookies: the flood wrote nothing to the Redis that sessions share.
        Assert.True(await CountKeysAsync(redis, "saml-*") <= before);
        Assert.Equal(0, await CountKeysAsync(redis, "saml-pending:*"));
        // Another address is not affected.
        using var other = platform.NewClient(cookies: false);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync($"/login/saml/{account.Key}/")).StatusCode);
    }

    [Fact]
    public async Task A_forged_pending_request_cookie_does_not_answer_for_a_request()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        using var browser = platform.NewClient(cookies: false);
        var requestId = await StartAsync(browser, account);
        var response = await MintAsync(account, requestId, "emp-" + user.Username, user.Email);

        using var post = new HttpRequestMessage(HttpMethod.Post, $"/login/saml/{account.Key}/acs")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = response }),
        };
        post.Headers.Add("Cookie", "ap_saml_req=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $$"""{"Account":"{{account.Key}}","RequestId":"{{requestId}}","ReturnPath":"/"}""")));
        using var posted = await browser.SendAsync(post);

        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Equal("saml-in-response-to-mismatch", (await account.AuditAsync()).First(e => e.Type == "sso.refused").Reason);
    }

    [Fact]
    public async Task A_pending_request_cookie_kept_and_replayed_answers_for_its_request_only_once()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        using var browser = platform.NewClient(cookies: false);
        var start = await browser.GetAsync($"/login/saml/{account.Key}/");
        var cookie = start.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ap_saml_req=")).Split(';')[0];
        var requestId = SamlIdpFixture.RequestIdOf(start.Headers.Location!);

        async Task<HttpResponseMessage> PostWithCookieAsync(string samlResponse)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, $"/login/saml/{account.Key}/acs")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = samlResponse }),
            };
            post.Headers.Add("Cookie", cookie);
            return await browser.SendAsync(post);
        }

        Assert.Equal(HttpStatusCode.SeeOther, (await PostWithCookieAsync(await MintAsync(account, requestId, "emp-" + user.Username, user.Email))).StatusCode);
        // A second, freshly signed response to the same request, with the cookie the attacker kept: refused.
        var second = await PostWithCookieAsync(await MintAsync(account, requestId, "emp-" + user.Username, user.Email));

        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal("saml-in-response-to-mismatch", (await account.AuditAsync()).First(e => e.Type == "sso.refused").Reason);
    }

    [Fact]
    public async Task Sp_metadata_is_served_from_the_public_certificate_and_holds_no_private_key()
    {
        var account = await ConfigureAccountAsync();
        using var anonymous = platform.NewClient(cookies: false);

        var xml = await anonymous.GetStringAsync($"/login/saml/{account.Key}/metadata");

        var certificates = MetadataCertificates(xml);
        using var certificate = Assert.Single(certificates);
        Assert.False(certificate.HasPrivateKey);
        Assert.DoesNotContain("PRIVATE", xml, StringComparison.OrdinalIgnoreCase);
    }

    // ---- Time windows (ASVS 6.8.3, SAML profiles §4.1.4.3) ------------------------------------------------------

    [Fact]
    public async Task A_year_old_assertion_is_refused()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        using var browser = platform.NewClient();
        var requestId = await StartAsync(browser, account);
        const double year = 365 * 24 * 60;
        var old = await idp.MintAsync(Mint(account, requestId, "emp-" + user.Username, user.Email) with
        {
            // Signed a year ago by the real IdP key, and it claims to stay valid for another year.
            ShiftMinutes = new()
            {
                ["IssueInstant"] = -year, ["AuthnInstant"] = -year, ["ConditionsNotBefore"] = -year,
                ["ConditionsNotOnOrAfter"] = year, ["SubjectConfirmationDataNotOnOrAfter"] = year,
            },
        });

        var posted = await PostAcsAsync(browser, account, old);

        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal("saml-stale", (await account.AuditAsync()).First(e => e.Type == "sso.refused").Reason);
    }

    [Fact]
    public async Task An_assertion_issued_ten_minutes_ago_is_refused_as_stale()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        using var browser = platform.NewClient();
        var requestId = await StartAsync(browser, account);
        var stale = await idp.MintAsync(Mint(account, requestId, "emp-" + user.Username, user.Email) with
        {
            ShiftMinutes = new() { ["IssueInstant"] = -10, ["AuthnInstant"] = -10, ["ConditionsNotBefore"] = -11 },
        });

        var posted = await PostAcsAsync(browser, account, stale);

        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal("saml-stale", (await account.AuditAsync()).First(e => e.Type == "sso.refused").Reason);
    }

    [Fact]
    public async Task The_idps_session_not_on_or_after_ends_the_platform_session_then()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        using var browser = platform.NewClient();
        var requestId = await StartAsync(browser, account);
        var bounded = await idp.MintAsync(Mint(account, requestId, "emp-" + user.Username, user.Email) with
        {
            ShiftMinutes = new() { ["SessionNotOnOrAfter"] = 60 },
        });
        await SignInAsync(browser, account, bounded);
        try
        {
            // Active all along (the idle timeout is 30 minutes; the absolute lifetime 12 hours): only the IdP's bound ends it.
            foreach (var minutes in new[] { 25, 50, 58 })
            {
                await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(minutes));
                Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/auth/session")).StatusCode);
            }
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(61));
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/auth/session")).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    // ---- Keys (ASVS 6.4.1, 6.2.1) ---------------------------------------------------------------------------------

    [Fact]
    public async Task A_dump_of_sso_db_yields_no_usable_sp_private_key_and_signed_logins_still_work()
    {
        var account = await ConfigureAccountAsync(signedRequests: true);
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);

        await using (var db = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("sso-db")))
        {
            await db.OpenAsync();
            await using var legacy = new NpgsqlCommand("SELECT sp_signing_pfx FROM sso_connections WHERE account_key = @key", db);
            legacy.Parameters.AddWithValue("key", account.Key);
            Assert.Equal(DBNull.Value, await legacy.ExecuteScalarAsync());
            await using var keys = new NpgsqlCommand("SELECT protected_key FROM sso_sp_keys WHERE account_key = @key", db);
            keys.Parameters.AddWithValue("key", account.Key);
            var stored = (byte[])(await keys.ExecuteScalarAsync())!;
            Assert.NotEmpty(stored);
            Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(stored, null, X509KeyStorageFlags.EphemeralKeySet));
        }

        using var current = Assert.Single(MetadataCertificates(await platform.NewClient(cookies: false).GetStringAsync($"/login/saml/{account.Key}/metadata")));
        await AssertSignedLoginAsync(account, user, current);
    }

    [Fact]
    public async Task Sp_certificate_rollover_publishes_both_and_logins_keep_working_before_during_and_after_the_switch()
    {
        var account = await ConfigureAccountAsync(signedRequests: true);
        var user = await platform.CreateUserAsync("sso", account: account.Key, withPassword: false);
        var view = await account.Admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var first = Assert.Single(view.GetProperty("spCertificates").EnumerateArray());
        Assert.Equal("current", first.GetProperty("state").GetString());
        // Two years, not ten.
        var validity = first.GetProperty("notAfter").GetDateTime() - first.GetProperty("notBefore").GetDateTime();
        Assert.InRange(validity.TotalDays, 729, 732);

        // Before.
        using var oldCertificate = Assert.Single(await MetadataAsync(account));
        await AssertSignedLoginAsync(account, user, oldCertificate);

        // Step 1: the next certificate is published beside the current one; requests are still signed with the old one.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync("/api/admin/sso/sp-certificates/next", null)).StatusCode);
        var during = await MetadataAsync(account);
        Assert.Equal(2, during.Count);
        Assert.Contains(during, c => c.Thumbprint == oldCertificate.Thumbprint);
        using var newCertificate = during.Single(c => c.Thumbprint != oldCertificate.Thumbprint);
        await AssertSignedLoginAsync(account, user, oldCertificate);
        // One rollover at a time.
        var twice = await account.Admin.PostAsync("/api/admin/sso/sp-certificates/next", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("https://access-platform/problems/sp-rollover-conflict", (await twice.ProblemAsync()).GetProperty("type").GetString());

        // Step 2: switch. Both stay published; requests are signed with the new one.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync("/api/admin/sso/sp-certificates/switch", null)).StatusCode);
        Assert.Equal(2, (await MetadataAsync(account)).Count);
        await AssertSignedLoginAsync(account, user, newCertificate);

        // Step 3: retire the old one. Only the new one is published, and it still signs.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync("/api/admin/sso/sp-certificates/retire", null)).StatusCode);
        var after = Assert.Single(await MetadataAsync(account));
        Assert.Equal(newCertificate.Thumbprint, after.Thumbprint);
        await AssertSignedLoginAsync(account, user, newCertificate);
        Assert.Equal(HttpStatusCode.Conflict, (await account.Admin.PostAsync("/api/admin/sso/sp-certificates/retire", null)).StatusCode);

        // Every step is an SSO change: audited with the certificate that changed state (and emailed to the managers).
        var changes = (await account.AuditAsync()).Where(e => e.Type == "sso.settings_changed").Select(e => e.Reason!).ToList();
        Assert.Contains(changes, c => c.Contains($"SP signing certificate {newCertificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)}: now next"));
        Assert.Contains(changes, c => c.Contains("now current"));
        Assert.Contains(changes, c => c.Contains(": retired"));
    }

    [Fact]
    public async Task A_stale_account_manager_session_cannot_roll_the_sp_certificate_over()
    {
        var account = await ConfigureAccountAsync();
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            var response = await account.Admin.PostAsync("/api/admin/sso/sp-certificates/next", null);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("https://access-platform/problems/reauthentication-required", (await response.ProblemAsync()).GetProperty("type").GetString());
            Assert.Single(await MetadataAsync(account));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Only_an_account_manager_may_roll_the_sp_certificate_over()
    {
        var account = await ConfigureAccountAsync();
        var user = await platform.CreateUserAsync("plain", account: account.Key);
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

        var response = await client.PostAsync("/api/admin/sso/sp-certificates/next", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(await MetadataAsync(account));
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private async Task<SsoAccount> ConfigureAccountAsync(bool signedRequests = false)
    {
        var key = "sso-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        // Password-less test users sign in by email match only with "link existing users by email" (off in the product).
        var account = new SsoAccount(key, admin, view.GetProperty("spEntityId").GetString()!, view.GetProperty("acsUrl").GetString()!) { LinkByEmail = true };
        if (signedRequests)
        {
            // The IdP's own metadata, with signed AuthnRequests asked for: every login start uses the SP key.
            var metadata = (await idp.MetadataAsync()).Replace("WantAuthnRequestsSigned=\"false\"", "WantAuthnRequestsSigned=\"true\"");
            Assert.Contains("WantAuthnRequestsSigned=\"true\"", metadata);
            var response = await admin.PutAsJsonAsync("/api/admin/sso", new { metadataXml = metadata, linkExistingUsersByEmail = true });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        else
        {
            await account.PutSettingsAsync(idp);
        }
        return account;
    }

    /// <summary>Starts a login, checks the AuthnRequest's redirect signature against <paramref name="signer"/>, and signs in.</summary>
    private async Task AssertSignedLoginAsync(SsoAccount account, TestUser user, X509Certificate2 signer)
    {
        using var browser = platform.NewClient();
        var start = await browser.GetAsync($"/login/saml/{account.Key}/");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var query = start.Headers.Location!.Query;
        var signedFrom = query.IndexOf("SAMLRequest=", StringComparison.Ordinal);
        var signatureAt = query.IndexOf("&Signature=", StringComparison.Ordinal);
        Assert.True(signedFrom >= 0 && signatureAt > signedFrom, "The AuthnRequest is not signed.");
        var signature = Convert.FromBase64String(Uri.UnescapeDataString(query[(signatureAt + "&Signature=".Length)..]));
        using var rsa = signer.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(Encoding.UTF8.GetBytes(query[signedFrom..signatureAt]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "The AuthnRequest is not signed with the expected SP certificate.");

        var response = await MintAsync(account, SamlIdpFixture.RequestIdOf(start.Headers.Location!), "emp-" + user.Username, user.Email);
        await SignInAsync(browser, account, response);
        Assert.Equal(user.Username, (await browser.GetFromJsonAsync<JsonElement>("/api/auth/session")).GetProperty("username").GetString());
    }

    private async Task<List<X509Certificate2>> MetadataAsync(SsoAccount account)
    {
        using var anonymous = platform.NewClient(cookies: false);
        return MetadataCertificates(await anonymous.GetStringAsync($"/login/saml/{account.Key}/metadata"));
    }

    /// <summary>The signing certificates of the SP metadata (the encryption certificate has its own KeyDescriptor and rollover).</summary>
    private static List<X509Certificate2> MetadataCertificates(string xml)
    {
        var doc = new XmlDocument();
        doc.LoadXml(xml);
        return [.. doc.GetElementsByTagName("KeyDescriptor", "urn:oasis:names:tc:SAML:2.0:metadata").Cast<XmlElement>()
            .Where(k => k.GetAttribute("use") == "signing")
            .SelectMany(k => k.GetElementsByTagName("X509Certificate", "http://www.w3.org/2000/09/xmldsig#").Cast<XmlElement>())
            .Select(e => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(e.InnerText.Trim())))];
    }

    private async Task<ConnectionMultiplexer> ConnectRedisAsync() =>
        await ConnectionMultiplexer.ConnectAsync(await platform.App.GetConnectionStringAsync("redis") ?? throw new InvalidOperationException("No redis."));

    private static async Task<int> CountKeysAsync(ConnectionMultiplexer redis, string pattern)
    {
        var count = 0;
        foreach (var endpoint in redis.GetEndPoints())
        {
            await foreach (var _ in redis.GetServer(endpoint).KeysAsync(pattern: pattern, pageSize: 1000))
            {
                count++;
            }
        }
        return count;
    }

    private static async Task<string> StartAsync(HttpClient browser, SsoAccount account)
    {
        var start = await browser.GetAsync($"/login/saml/{account.Key}/");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        return SamlIdpFixture.RequestIdOf(start.Headers.Location!);
    }

    private static MintRequest Mint(SsoAccount account, string? requestId, string nameId, string? email) => new()
    {
        SpEntityId = account.SpEntityId,
        AcsUrl = account.AcsUrl,
        InResponseTo = requestId,
        NameId = nameId,
        Email = email,
    };

    private Task<string> MintAsync(SsoAccount account, string? requestId, string nameId, string? email) =>
        idp.MintAsync(Mint(account, requestId, nameId, email));

    private static Task<HttpResponseMessage> PostAcsAsync(HttpClient browser, SsoAccount account, string samlResponse) =>
        browser.PostAsync($"/login/saml/{account.Key}/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = samlResponse }));

    private static async Task SignInAsync(HttpClient browser, SsoAccount account, string samlResponse)
    {
        var posted = await PostAcsAsync(browser, account, samlResponse);
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var complete = await browser.GetAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
    }
}
