using System.Text;
using System.Text.Json;
using System.Xml;

namespace AccessPlatform.Tests;

/// <summary>
/// Encrypted assertions end to end (issue 16): samlify reads the account's SP metadata, encrypts the assertion to its
/// KeyDescriptor use="encryption", and the user signs in through the gateway; "Require encrypted assertions" refuses
/// a plain one. ASVS 6.8.x (SAML), 11.x (cryptography).
/// </summary>
public sealed partial class SsoTests
{
    private const string XencNs = "http://www.w3.org/2001/04/xmlenc#";
    private const string Xenc11Ns = "http://www.w3.org/2009/xmlenc11#";

    /// <summary>Every pair samlify (xml-encryption) can produce that we accept: RSA-OAEP-MGF1P with AES-GCM and AES-CBC.</summary>
    private static readonly MintEncryption[] SamlifyPairs =
    [
        new(Xenc11Ns + "aes256-gcm", XencNs + "rsa-oaep-mgf1p"),
        new(Xenc11Ns + "aes128-gcm", XencNs + "rsa-oaep-mgf1p"),
        new(XencNs + "aes256-cbc", XencNs + "rsa-oaep-mgf1p"),
        new(XencNs + "aes128-cbc", XencNs + "rsa-oaep-mgf1p"),
    ];

    [Fact]
    public async Task Encrypted_assertions_of_every_algorithm_pair_samlify_produces_sign_the_user_in()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        var metadata = await SpMetadataAsync(account);

        foreach (var pair in SamlifyPairs)
        {
            using var browser = platform.NewClient();
            var requestId = await StartAsync(browser, account);
            var samlResponse = await idp.MintAsync(Mint(account, requestId, "emp-" + user.Username, user.Email) with
            {
                SpMetadata = metadata, Encryption = pair,
            });
            // Really encrypted: no plain assertion travels, and the content algorithm is the one asked for.
            var posted = Encoding.UTF8.GetString(Convert.FromBase64String(samlResponse));
            Assert.Contains("EncryptedAssertion", posted);
            Assert.DoesNotContain("<saml:Assertion", posted);
            Assert.Contains(pair.DataAlgorithm, posted);

            var complete = await SignInAsync(browser, account, samlResponse);
            Assert.Equal("/", complete.Headers.Location!.OriginalString);
            Assert.Equal(user.Username, await UsernameAsync(browser));
        }
    }

    [Fact]
    public async Task Sp_metadata_publishes_a_separate_encryption_certificate_with_its_algorithms()
    {
        var account = await ConfigureAccountAsync();
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(await SpMetadataAsync(account));
        const string Md = "urn:oasis:names:tc:SAML:2.0:metadata";

        var keys = doc.GetElementsByTagName("KeyDescriptor", Md).Cast<XmlElement>().ToList();
        var signing = Assert.Single(keys, k => k.GetAttribute("use") == "signing");
        var encryption = Assert.Single(keys, k => k.GetAttribute("use") == "encryption");
        Assert.NotEqual(signing["ds:KeyInfo"]!.InnerText, encryption["ds:KeyInfo"]!.InnerText);
        var algorithms = encryption.GetElementsByTagName("EncryptionMethod", Md).Cast<XmlElement>().Select(e => e.GetAttribute("Algorithm")).ToList();
        Assert.Contains(Xenc11Ns + "aes256-gcm", algorithms);
        Assert.Contains(XencNs + "rsa-oaep-mgf1p", algorithms);
        Assert.DoesNotContain(XencNs + "rsa-1_5", algorithms);

        // The settings API shows the same certificate, apart from the signing ones.
        var view = await account.Admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        Assert.Equal("current", Assert.Single(view.GetProperty("spEncryptionCertificates").EnumerateArray()).GetProperty("state").GetString());
        Assert.False(view.GetProperty("requireEncryptedAssertions").GetBoolean());
    }

    /// <summary>
    /// Attack: with "Require encrypted assertions" on, a plain assertion (e.g. one an IdP misconfiguration, or an
    /// attacker holding a plain signed assertion, sends) is refused with its own reason code and leaves no session;
    /// an encrypted one still signs in.
    /// </summary>
    [Fact]
    public async Task A_plain_assertion_is_refused_when_the_account_requires_encrypted_assertions()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        var put = await account.Admin.PutAsJsonAsync("/api/admin/sso", new
        {
            idpEntityId = SamlIdpFixture.EntityId,
            idpSsoUrl = $"{idp.Address}sso",
            certificates = new[] { idp.CertificatePem("primary") },
            linkExistingUsersByEmail = true,
            requireEncryptedAssertions = true,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requireEncryptedAssertions").GetBoolean());
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.settings_changed" && e.Reason!.Contains("Require encrypted assertions: off → on"));

        using var attacker = platform.NewClient();
        var requestId = await StartAsync(attacker, account);
        var plain = await MintAsync(account, requestId, "emp-" + user.Username, user.Email);
        await AssertRefusedAsync(attacker, await PostAcsAsync(attacker, account, plain));
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "saml-encryption-required");

        using var browser = platform.NewClient();
        var encrypted = await idp.MintAsync(Mint(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email) with
        {
            SpMetadata = await SpMetadataAsync(account), Encryption = SamlifyPairs[0],
        });
        await SignInAsync(browser, account, encrypted);
        Assert.Equal(user.Username, await UsernameAsync(browser));
    }

    [Fact]
    public async Task The_encryption_certificate_rolls_over_like_the_signing_one_and_a_retired_key_no_longer_decrypts()
    {
        var account = await ConfigureAccountAsync();
        var user = await SsoOnlyUserAsync(account);
        var before = await SpMetadataAsync(account);
        const string Base = "/api/admin/sso/sp-encryption-certificates/";

        // Step 1: the next certificate is published (after the current one) and decrypts at once.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync(Base + "next", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await account.Admin.PostAsync(Base + "next", null)).StatusCode);
        var during = await SpMetadataAsync(account);
        Assert.Equal(2, EncryptionCertificates(during).Count);
        Assert.Equal(EncryptionCertificates(before)[0], EncryptionCertificates(during)[0]);
        var next = OnlyEncryptionCertificate(during, EncryptionCertificates(during)[1]);
        await AssertEncryptedLoginAsync(account, user, next);
        await AssertEncryptedLoginAsync(account, user, before);

        // Step 2: switch: the new one comes first; the old one (previous) still decrypts.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync(Base + "switch", null)).StatusCode);
        Assert.Equal(EncryptionCertificates(next)[0], EncryptionCertificates(await SpMetadataAsync(account))[0]);
        await AssertEncryptedLoginAsync(account, user, before);

        // Step 3: retire: only the new one is published, and an assertion encrypted to the old key is refused.
        Assert.Equal(HttpStatusCode.OK, (await account.Admin.PostAsync(Base + "retire", null)).StatusCode);
        Assert.Equal(EncryptionCertificates(next), EncryptionCertificates(await SpMetadataAsync(account)));
        await AssertEncryptedLoginAsync(account, user, next);
        using var browser = platform.NewClient();
        var stale = await idp.MintAsync(Mint(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email) with
        {
            SpMetadata = before, Encryption = SamlifyPairs[0],
        });
        await AssertRefusedAsync(browser, await PostAcsAsync(browser, account, stale));
        Assert.Contains(await account.AuditAsync(), e => e.Type == "sso.refused" && e.Reason == "saml-decryption-failed");
        // The signing certificate did not move; every step was audited as an encryption certificate change.
        var changes = (await account.AuditAsync()).Where(e => e.Type == "sso.settings_changed").Select(e => e.Reason!).ToList();
        Assert.Contains(changes, c => c.Contains("SP encryption certificate") && c.Contains(": now next"));
        Assert.Contains(changes, c => c.Contains("SP encryption certificate") && c.Contains(": retired"));
        Assert.DoesNotContain(changes, c => c.Contains("SP signing certificate"));
    }

    private async Task AssertEncryptedLoginAsync(SsoAccount account, TestUser user, string spMetadata)
    {
        using var browser = platform.NewClient();
        var samlResponse = await idp.MintAsync(Mint(account, await StartAsync(browser, account), "emp-" + user.Username, user.Email) with
        {
            SpMetadata = spMetadata, Encryption = SamlifyPairs[0],
        });
        await SignInAsync(browser, account, samlResponse);
        Assert.Equal(user.Username, await UsernameAsync(browser));
    }

    private static List<string> EncryptionCertificates(string metadata)
    {
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(metadata);
        return [.. doc.GetElementsByTagName("KeyDescriptor", "urn:oasis:names:tc:SAML:2.0:metadata").Cast<XmlElement>()
            .Where(k => k.GetAttribute("use") == "encryption").Select(k => k.InnerText.Trim())];
    }

    /// <summary>The metadata with only the encryption KeyDescriptor holding <paramref name="certificate"/>: samlify encrypts to the one it finds.</summary>
    private static string OnlyEncryptionCertificate(string metadata, string certificate)
    {
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(metadata);
        foreach (var key in doc.GetElementsByTagName("KeyDescriptor", "urn:oasis:names:tc:SAML:2.0:metadata").Cast<XmlElement>()
                     .Where(k => k.GetAttribute("use") == "encryption" && k.InnerText.Trim() != certificate).ToList())
        {
            key.ParentNode!.RemoveChild(key);
        }
        return doc.OuterXml;
    }

    private async Task<string> SpMetadataAsync(SsoAccount account)
    {
        using var anonymous = platform.NewClient();
        var response = await anonymous.GetAsync($"/login/saml/{account.Key}/metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
