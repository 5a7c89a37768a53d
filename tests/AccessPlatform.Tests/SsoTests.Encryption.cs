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

    private async Task<string> SpMetadataAsync(SsoAccount account)
    {
        using var anonymous = platform.NewClient();
        var response = await anonymous.GetAsync($"/login/saml/{account.Key}/metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
