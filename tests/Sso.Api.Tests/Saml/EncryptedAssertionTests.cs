using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

/// <summary>
/// EncryptedAssertion (issue 16): assertions encrypted by xmlsec1 or Node's crypto, never by the code under test,
/// decrypted with the SP encryption key and then held to every rule of the validator. ASVS 50.6.x / 6.5.x
/// (authenticated encryption preferred, no padding oracle), ASVS 6.8.x (SAML assertions).
/// </summary>
public class EncryptedAssertionTests
{
    private const string A = SamlConstants.AssertionNamespace;

    private static SamlValidationContext Ctx(IReadOnlyList<X509Certificate2>? keys = null, bool requireEncrypted = false) => new()
    {
        Idp = IdpConfig() with { RequireEncryptedAssertions = requireEncrypted },
        Sp = new SpConfig(SpEntityId) { DecryptionCertificates = keys ?? [SpCertificate] },
        ExpectedInResponseTo = RequestId,
        Clock = new FixedClock(Now),
        TryRememberAssertionId = new ReplayStore().TryRemember,
    };

    private static XmlDocument SignedResponse(ResponseSpec? spec = null)
    {
        var doc = BuildResponse(spec ?? new ResponseSpec());
        Sign(Assertion(doc));
        return doc;
    }

    private static void AssertSignedIn(SamlValidationResult result)
    {
        Assert.True(result.Succeeded, $"{result.Reason}: {result.FailureMessage}");
        Assert.Equal("alice@example.com", result.Identity.NameId);
        Assert.Equal("alice@example.com", result.Identity.Email);
    }

    private static void AssertRejected(SamlFailureReason reason, SamlValidationResult result)
    {
        Assert.False(result.Succeeded);
        Assert.Equal(reason, result.Reason);
    }

    private static XmlElement CipherValueOfData(XmlDocument doc) =>
        (XmlElement)doc.GetElementsByTagName("EncryptedData", AssertionDecryptor.XencNamespace)[0]!["CipherData", AssertionDecryptor.XencNamespace]!
            ["CipherValue", AssertionDecryptor.XencNamespace]!;

    [Theory]
    [InlineData("aes128-gcm")]
    [InlineData("aes256-gcm")]
    [InlineData("aes128-cbc")]
    [InlineData("aes256-cbc")]
    public void Xmlsec1_rsa_oaep_mgf1p_with_each_content_algorithm_signs_in(string content)
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, content);
        Assert.Empty(doc.GetElementsByTagName("Assertion", A));

        AssertSignedIn(Validate(Encode(doc), Ctx()));
    }

    [Theory]
    [InlineData("aes128-gcm", "rsa-oaep-sha256")]
    [InlineData("aes256-gcm", "rsa-oaep-sha256")]
    [InlineData("aes256-cbc", "rsa-oaep-sha256")]
    [InlineData("aes128-cbc", "rsa-oaep-sha1")]
    [InlineData("aes256-gcm", "rsa-oaep-mgf1p")]
    public void Node_crypto_xmlenc11_rsa_oaep_pairs_sign_in(string content, string keyTransport)
    {
        var doc = IndependentEncryptor.WithNode(SignedResponse(), SpCertificate, content, keyTransport);

        AssertSignedIn(Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void A_signed_response_around_an_unsigned_encrypted_assertion_signs_in()
    {
        // ADFS/Okta style: the Response is signed over the EncryptedAssertion; it is verified before decryption.
        var doc = IndependentEncryptor.WithXmlsec(BuildResponse(new ResponseSpec()), SpCertificate, "aes256-cbc");
        Sign(doc.DocumentElement!);

        AssertSignedIn(Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void Every_published_encryption_key_decrypts_during_a_rollover()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes128-gcm");

        // Encrypted to the previous (or next) certificate while another one is current.
        AssertSignedIn(Validate(Encode(doc), Ctx([AttackerCertificate, SpCertificate])));
    }

    [Fact]
    public void Rsa15_key_transport_is_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm", keyTransport: "rsa-1_5");

        AssertRejected(SamlFailureReason.EncryptionAlgorithmRefused, Validate(Encode(doc), Ctx()));
    }

    [Theory]
    [InlineData("aes256-gcm")]
    [InlineData("aes256-cbc")]
    public void Tampered_ciphertext_is_refused(string content)
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, content);
        var cipherValue = CipherValueOfData(doc);
        var bytes = Convert.FromBase64String(cipherValue.InnerText);
        bytes[20] ^= 0x01; // inside the first ciphertext block
        cipherValue.InnerText = Convert.ToBase64String(bytes);

        AssertRejected(SamlFailureReason.DecryptionFailed, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void Tampered_ciphertext_under_a_signed_response_is_refused_before_decryption()
    {
        var doc = IndependentEncryptor.WithXmlsec(BuildResponse(new ResponseSpec()), SpCertificate, "aes256-cbc");
        Sign(doc.DocumentElement!);
        var cipherValue = CipherValueOfData(doc);
        var bytes = Convert.FromBase64String(cipherValue.InnerText);
        bytes[^1] ^= 0x01; // the padding byte: the classic oracle probe
        cipherValue.InnerText = Convert.ToBase64String(bytes);

        // The signature over the ciphertext fails first: nothing is decrypted, so there is nothing to learn.
        AssertRejected(SamlFailureReason.SignatureInvalid, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_assertion_encrypted_to_another_key_is_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), AttackerCertificate, "aes256-gcm");

        AssertRejected(SamlFailureReason.DecryptionFailed, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_without_any_sp_encryption_key_is_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm");

        AssertRejected(SamlFailureReason.DecryptionFailed, Validate(Encode(doc), Ctx([])));
    }

    [Fact]
    public void A_plain_assertion_is_refused_when_encryption_is_required()
    {
        var plain = Encode(SignedResponse());

        AssertRejected(SamlFailureReason.EncryptionRequired, Validate(plain, Ctx(requireEncrypted: true)));
        // And the same response passes while the setting is off (the default).
        AssertSignedIn(Validate(plain, Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_passes_when_encryption_is_required()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes128-gcm");

        AssertSignedIn(Validate(Encode(doc), Ctx(requireEncrypted: true)));
    }

    [Fact]
    public void Two_encrypted_assertions_are_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm");
        var encrypted = doc.GetElementsByTagName("EncryptedAssertion", A)[0]!;
        encrypted.ParentNode!.AppendChild(encrypted.CloneNode(deep: true));

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_beside_a_plain_signed_one_is_refused()
    {
        // Wrapping: the attacker adds their own (here: genuinely signed, replayed) plain assertion beside an encrypted one.
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm");
        var other = SignedResponse();
        doc.DocumentElement!.AppendChild(doc.ImportNode(Assertion(other), deep: true));

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_hidden_in_extensions_is_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm");
        var encrypted = doc.GetElementsByTagName("EncryptedAssertion", A)[0]!;
        var extensions = doc.CreateElement("samlp", "Extensions", SamlConstants.ProtocolNamespace);
        encrypted.ParentNode!.ReplaceChild(extensions, encrypted);
        extensions.AppendChild(encrypted);

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_unsigned_encrypted_assertion_in_an_unsigned_response_is_refused()
    {
        // Encryption is not authentication: anyone can encrypt to the SP's public certificate.
        var doc = IndependentEncryptor.WithXmlsec(BuildResponse(new ResponseSpec()), SpCertificate, "aes256-gcm");

        AssertRejected(SamlFailureReason.NotSigned, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_signed_by_another_key_is_refused()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), AttackerCertificate);

        AssertRejected(SamlFailureReason.UntrustedCertificate,
            Validate(Encode(IndependentEncryptor.WithXmlsec(doc, SpCertificate, "aes256-gcm")), Ctx()));
    }

    [Fact]
    public void An_encrypted_assertion_whose_signature_covers_another_element_is_refused()
    {
        // The signature inside the encrypted assertion references the Response's ID, not the assertion's.
        var doc = SignedResponse();
        var reference = (XmlElement)Assertion(doc).GetElementsByTagName("Reference", SamlConstants.XmlDsigNamespace)[0]!;
        reference.SetAttribute("URI", "#" + doc.DocumentElement!.GetAttribute("ID"));

        var result = Validate(Encode(IndependentEncryptor.WithXmlsec(doc, SpCertificate, "aes256-gcm")), Ctx());
        Assert.False(result.Succeeded);
        Assert.Contains(result.Reason, new[] { SamlFailureReason.ReferenceMismatch, SamlFailureReason.SignatureInvalid });
    }

    [Fact]
    public void A_second_assertion_inside_the_encrypted_one_is_refused()
    {
        // Wrapping inside the ciphertext: a genuine signed assertion nested in the attacker's assertion.
        var doc = SignedResponse();
        var inner = SignedResponse(new ResponseSpec { NameId = "mallory@example.com" });
        Assertion(doc).AppendChild(doc.ImportNode(Assertion(inner), deep: true));

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(IndependentEncryptor.WithNode(doc, SpCertificate, "aes256-gcm", "rsa-oaep-sha256")), Ctx()));
    }

    [Fact]
    public void A_dtd_in_the_decrypted_assertion_is_refused()
    {
        // The plaintext is parsed with the same rules as the response: no DTD (entity expansion, XXE).
        var plaintext = "<!DOCTYPE a [<!ENTITY x \"x\">]><saml:Assertion xmlns:saml=\"" + A + "\" ID=\"_x\" Version=\"2.0\">&x;</saml:Assertion>";
        var doc = BuildResponse(new ResponseSpec());
        var result = Validate(Encode(IndependentEncryptor.Replace(doc, CbcEncryptedData(Encoding.UTF8.GetBytes(plaintext), validPadding: true))), Ctx());

        AssertRejected(SamlFailureReason.DecryptionFailed, result);
    }

    /// <summary>
    /// The padding oracle (Jager and Somorovsky 2011) needs bad padding to be told from bad XML. Here both, and a
    /// key that does not unwrap, produce the identical failure: same reason code, same message.
    /// </summary>
    [Fact]
    public void Bad_padding_bad_xml_and_a_bad_key_produce_the_identical_failure()
    {
        var assertionXml = Encoding.UTF8.GetBytes(Assertion(SignedResponse()).OuterXml);

        var badPadding = Validate(Encode(IndependentEncryptor.Replace(BuildResponse(new ResponseSpec()),
            CbcEncryptedData(assertionXml, validPadding: false))), Ctx());
        var badXml = Validate(Encode(IndependentEncryptor.Replace(BuildResponse(new ResponseSpec()),
            CbcEncryptedData("<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID="u8.ToArray(), validPadding: true))), Ctx());
        var badKey = Validate(Encode(IndependentEncryptor.Replace(BuildResponse(new ResponseSpec()),
            CbcEncryptedData(assertionXml, validPadding: true, wrapFor: AttackerCertificate))), Ctx());

        foreach (var result in new[] { badPadding, badXml, badKey })
        {
            AssertRejected(SamlFailureReason.DecryptionFailed, result);
            Assert.Equal(badPadding.FailureMessage, result.FailureMessage);
        }
    }

    [Fact]
    public void Xml_encryption_padding_with_arbitrary_filler_bytes_decrypts()
    {
        // XML Encryption reads only the last padding byte (not PKCS#7): random filler must be accepted.
        var assertionXml = Encoding.UTF8.GetBytes(Assertion(SignedResponse()).OuterXml);
        var doc = IndependentEncryptor.Replace(BuildResponse(new ResponseSpec()), CbcEncryptedData(assertionXml, validPadding: true));

        AssertSignedIn(Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void An_unknown_content_algorithm_is_refused()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes192-cbc");

        AssertRejected(SamlFailureReason.EncryptionAlgorithmRefused, Validate(Encode(doc), Ctx()));
    }

    [Fact]
    public void A_cipher_reference_is_refused_without_fetching_it()
    {
        var doc = IndependentEncryptor.WithXmlsec(SignedResponse(), SpCertificate, "aes256-gcm");
        var cipherData = CipherValueOfData(doc).ParentNode!;
        cipherData.RemoveAll();
        var reference = doc.CreateElement("xenc", "CipherReference", AssertionDecryptor.XencNamespace);
        reference.SetAttribute("URI", "http://127.0.0.1:1/never");
        cipherData.AppendChild(reference);

        AssertRejected(SamlFailureReason.Malformed, Validate(Encode(doc), Ctx()));
    }

    /// <summary>
    /// An EncryptedData made here with AES-256-CBC so the test controls the padding byte; the key is wrapped with
    /// RSA-OAEP (SHA-1) for <paramref name="wrapFor"/> (default: the SP). Used only for the oracle tests, where the
    /// point is what the decryptor does with a plaintext of the attacker's choosing.
    /// </summary>
    private static string CbcEncryptedData(byte[] plaintext, bool validPadding, X509Certificate2? wrapFor = null)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var padLength = 16 - (plaintext.Length % 16);
        var padded = new byte[plaintext.Length + padLength];
        plaintext.CopyTo(padded, 0);
        RandomNumberGenerator.Fill(padded.AsSpan(plaintext.Length, padLength - 1));
        // A valid last byte is the padding length (1..16); 0 and 17..255 are invalid.
        padded[^1] = validPadding ? (byte)padLength : (byte)0;
        using var aes = Aes.Create();
        aes.Key = key;
        var cipherValue = iv.Concat(aes.EncryptCbc(padded, iv, PaddingMode.None)).ToArray();
        using var rsa = (wrapFor ?? SpCertificate).GetRSAPublicKey()!;
        var wrapped = rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA1);
        const string X = AssertionDecryptor.XencNamespace;
        return $"<xenc:EncryptedData xmlns:xenc=\"{X}\" Type=\"{X}Element\"><xenc:EncryptionMethod Algorithm=\"{AssertionDecryptor.Aes256Cbc}\"/>" +
            $"<ds:KeyInfo xmlns:ds=\"{SamlConstants.XmlDsigNamespace}\"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\"{AssertionDecryptor.RsaOaepMgf1p}\"/>" +
            $"<xenc:CipherData><xenc:CipherValue>{Convert.ToBase64String(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>" +
            $"<xenc:CipherData><xenc:CipherValue>{Convert.ToBase64String(cipherValue)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>";
    }
}
