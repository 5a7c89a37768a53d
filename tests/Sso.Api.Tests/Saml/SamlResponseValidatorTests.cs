using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

public class SamlResponseValidatorTests
{
    private static SamlValidationResult Validate(string base64, SamlValidationContext? ctx = null) =>
        TestIdp.Validate(base64, ctx ?? Context());

    private static void AssertRejected(SamlFailureReason expected, SamlValidationResult result)
    {
        Assert.False(result.Succeeded);
        Assert.Null(result.Identity);
        Assert.Equal(expected, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.FailureMessage));
    }

    [Fact]
    public void A_valid_response_with_a_signed_assertion_is_accepted_with_its_identity()
    {
        var spec = new ResponseSpec();
        var replay = new ReplayStore();

        var result = Validate(SignedAssertionResponse(spec), Context(replay: replay));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(SamlFailureReason.None, result.Reason);
        var identity = result.Identity;
        Assert.Equal(IdpEntityId, identity.IdpEntityId);
        Assert.Equal("alice@example.com", identity.NameId);
        Assert.Equal(SamlConstants.NameIdFormatEmail, identity.NameIdFormat);
        Assert.Equal("alice@example.com", identity.Email);
        Assert.Equal("_session-1", identity.SessionIndex);
        Assert.Equal(["admins", "staff"], identity.Attributes["groups"]);
        Assert.Equal("Alice Example", Assert.Single(identity.Attributes["displayName"]));
        Assert.Equal(spec.AssertionId, identity.AssertionId);
        Assert.Equal(spec.NotOnOrAfter, identity.NotOnOrAfter);
        // Remembered for as long as the assertion could still be accepted (validity end + skew).
        Assert.Equal(spec.NotOnOrAfter.AddMinutes(2), replay.Seen[spec.AssertionId]);
    }

    [Fact]
    public void A_response_signed_only_at_the_response_level_is_accepted()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(doc.DocumentElement!);

        var result = Validate(Encode(doc));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("alice@example.com", result.Identity.NameId);
    }

    [Fact]
    public void A_response_with_both_the_assertion_and_the_response_signed_is_accepted()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc));
        Sign(doc.DocumentElement!);

        var result = Validate(Encode(doc));

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void Email_falls_back_to_an_email_format_name_id_when_no_email_attribute_is_sent()
    {
        var result = Validate(SignedAssertionResponse(new ResponseSpec { Attributes = [] }));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("alice@example.com", result.Identity.Email);
        Assert.Empty(result.Identity.Attributes);
    }

    [Fact]
    public void A_persistent_name_id_without_an_email_attribute_yields_no_email()
    {
        var spec = new ResponseSpec { NameId = "8f2c1d", NameIdFormat = SamlConstants.NameIdFormatPersistent, Attributes = [] };

        var result = Validate(SignedAssertionResponse(spec));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("8f2c1d", result.Identity.NameId);
        Assert.Null(result.Identity.Email);
    }

    [Fact]
    public void A_second_configured_certificate_is_accepted_for_key_rollover()
    {
        var idp = IdpConfig() with { SigningCertificates = [PublicOnly(AttackerCertificate), PublicOnly(SigningCertificate)] };

        var result = Validate(SignedAssertionResponse(), Context(idp: idp));

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void A_tampered_name_id_after_signing_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc));
        var nameId = (XmlElement)doc.GetElementsByTagName("NameID", SamlConstants.AssertionNamespace)[0]!;
        nameId.InnerText = "mallory@example.com";

        AssertRejected(SamlFailureReason.SignatureInvalid, Validate(Encode(doc)));
    }

    [Fact]
    public void A_tampered_response_destination_after_signing_the_response_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec { Destination = "https://other.example.test/acs" });
        Sign(doc.DocumentElement!);
        doc.DocumentElement!.SetAttribute("Destination", AcsUrl);

        AssertRejected(SamlFailureReason.SignatureInvalid, Validate(Encode(doc)));
    }

    [Fact]
    public void An_unsigned_response_is_rejected()
    {
        AssertRejected(SamlFailureReason.NotSigned, Validate(Encode(BuildResponse(new ResponseSpec()))));
    }

    [Fact]
    public void A_response_signed_by_another_key_with_its_certificate_in_key_info_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), AttackerCertificate);
        Assert.Contains(Convert.ToBase64String(AttackerCertificate.RawData), doc.OuterXml);

        AssertRejected(SamlFailureReason.UntrustedCertificate, Validate(Encode(doc)));
    }

    [Fact]
    public void A_sha1_signature_is_rejected_by_default()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), signatureMethod: SamlConstants.RsaSha1, digestMethod: SamlConstants.DigestSha1);

        AssertRejected(SamlFailureReason.WeakAlgorithm, Validate(Encode(doc)));
    }

    [Fact]
    public void A_sha1_digest_under_a_sha256_signature_is_rejected_by_default()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), digestMethod: SamlConstants.DigestSha1);

        AssertRejected(SamlFailureReason.WeakAlgorithm, Validate(Encode(doc)));
    }

    [Fact]
    public void A_sha1_signature_is_accepted_when_the_idp_is_configured_to_allow_it()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), signatureMethod: SamlConstants.RsaSha1, digestMethod: SamlConstants.DigestSha1);

        var result = Validate(Encode(doc), Context(idp: IdpConfig(allowSha1: true)));

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void A_sha512_signature_is_accepted()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), signatureMethod: SamlConstants.RsaSha512, digestMethod: SamlConstants.DigestSha512);

        Assert.True(Validate(Encode(doc)).Succeeded);
    }

    [Fact]
    public void An_inclusive_canonicalization_transform_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), canonicalTransform: new XmlDsigC14NTransform());

        AssertRejected(SamlFailureReason.BadTransform, Validate(Encode(doc)));
    }

    [Fact]
    public void An_exclusive_canonicalization_with_comments_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), canonicalizationMethod: SignedXml.XmlDsigExcC14NWithCommentsTransformUrl);

        AssertRejected(SamlFailureReason.BadTransform, Validate(Encode(doc)));
    }

    [Fact]
    public void A_wrong_assertion_issuer_is_rejected()
    {
        var spec = new ResponseSpec { Issuer = "https://evil.example.test/", ResponseIssuer = null };

        AssertRejected(SamlFailureReason.IssuerMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_wrong_response_issuer_is_rejected()
    {
        var spec = new ResponseSpec { ResponseIssuer = "https://evil.example.test/" };

        AssertRejected(SamlFailureReason.IssuerMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_wrong_audience_is_rejected()
    {
        var spec = new ResponseSpec { Audience = "https://sso.example.test/login/saml/fabrikam/" };

        AssertRejected(SamlFailureReason.AudienceMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_wrong_destination_is_rejected()
    {
        var spec = new ResponseSpec { Destination = "https://sso.example.test/login/saml/fabrikam/acs" };

        AssertRejected(SamlFailureReason.DestinationMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_missing_destination_is_rejected()
    {
        AssertRejected(SamlFailureReason.DestinationMismatch, Validate(SignedAssertionResponse(new ResponseSpec { Destination = null })));
    }

    [Fact]
    public void A_wrong_recipient_is_rejected()
    {
        var spec = new ResponseSpec { Recipient = "https://sso.example.test/login/saml/fabrikam/acs" };

        AssertRejected(SamlFailureReason.RecipientMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_subject_without_bearer_confirmation_is_rejected()
    {
        var spec = new ResponseSpec { ConfirmationMethod = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" };

        AssertRejected(SamlFailureReason.MissingSubject, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void An_assertion_expired_beyond_the_clock_skew_is_rejected()
    {
        var ctx = Context(now: Now.AddMinutes(5 + 3));

        AssertRejected(SamlFailureReason.Expired, Validate(SignedAssertionResponse(), ctx));
    }

    [Fact]
    public void An_expired_bearer_confirmation_is_rejected_even_if_conditions_are_still_valid()
    {
        var spec = new ResponseSpec { ConfirmationNotOnOrAfter = Now.AddMinutes(-3), NotOnOrAfter = Now.AddHours(1) };

        AssertRejected(SamlFailureReason.Expired, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void An_assertion_expired_within_the_clock_skew_is_accepted()
    {
        var ctx = Context(now: Now.AddMinutes(5 + 1));

        Assert.True(Validate(SignedAssertionResponse(), ctx).Succeeded);
    }

    [Fact]
    public void An_assertion_not_yet_valid_beyond_the_clock_skew_is_rejected()
    {
        var spec = new ResponseSpec { NotBefore = Now.AddMinutes(3) };

        AssertRejected(SamlFailureReason.NotYetValid, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_bearer_confirmation_not_yet_valid_beyond_the_clock_skew_is_rejected()
    {
        var spec = new ResponseSpec { ConfirmationNotBefore = Now.AddMinutes(3) };

        AssertRejected(SamlFailureReason.NotYetValid, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void An_assertion_not_yet_valid_within_the_clock_skew_is_accepted()
    {
        var spec = new ResponseSpec { NotBefore = Now.AddMinutes(1), ConfirmationNotBefore = Now.AddMinutes(1) };

        Assert.True(Validate(SignedAssertionResponse(spec)).Succeeded);
    }

    [Fact]
    public void A_response_to_a_different_request_is_rejected()
    {
        var ctx = Context(expectedInResponseTo: "_ffffffffffffffffffffffffffffffff");

        AssertRejected(SamlFailureReason.InResponseToMismatch, Validate(SignedAssertionResponse(), ctx));
    }

    [Fact]
    public void A_confirmation_in_response_to_a_different_request_is_rejected()
    {
        var spec = new ResponseSpec { ConfirmationInResponseTo = "_ffffffffffffffffffffffffffffffff" };

        AssertRejected(SamlFailureReason.InResponseToMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void A_response_without_in_response_to_is_rejected_when_a_request_is_outstanding()
    {
        var spec = new ResponseSpec { InResponseTo = null, ConfirmationInResponseTo = null };

        AssertRejected(SamlFailureReason.InResponseToMismatch, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void An_idp_initiated_response_is_refused_by_default()
    {
        var spec = new ResponseSpec { InResponseTo = null, ConfirmationInResponseTo = null };

        AssertRejected(SamlFailureReason.InResponseToMismatch, Validate(SignedAssertionResponse(spec), Context(expectedInResponseTo: null)));
    }

    [Fact]
    public void An_idp_initiated_response_is_accepted_when_enabled()
    {
        var spec = new ResponseSpec { InResponseTo = null, ConfirmationInResponseTo = null };
        var ctx = Context(idp: IdpConfig(allowIdpInitiated: true), expectedInResponseTo: null);

        var result = Validate(SignedAssertionResponse(spec), ctx);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void An_unsolicited_response_claiming_to_answer_a_request_is_refused_even_when_idp_initiated_is_enabled()
    {
        var ctx = Context(idp: IdpConfig(allowIdpInitiated: true), expectedInResponseTo: null);

        AssertRejected(SamlFailureReason.InResponseToMismatch, Validate(SignedAssertionResponse(), ctx));
    }

    [Fact]
    public void A_replayed_assertion_is_rejected_on_second_use()
    {
        var replay = new ReplayStore();
        var response = SignedAssertionResponse();

        Assert.True(Validate(response, Context(replay: replay)).Succeeded);
        AssertRejected(SamlFailureReason.Replay, Validate(response, Context(replay: replay)));
    }

    [Fact]
    public void A_refused_response_does_not_consume_its_assertion_id()
    {
        var replay = new ReplayStore();

        Validate(SignedAssertionResponse(new ResponseSpec { Audience = "https://other.example.test/" }), Context(replay: replay));

        Assert.Empty(replay.Seen);
    }

    [Fact]
    public void A_response_with_two_assertions_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        var second = (XmlElement)Assertion(doc).CloneNode(deep: true);
        second.SetAttribute("ID", "_second");
        doc.DocumentElement!.AppendChild(second);
        Sign(doc.DocumentElement!);

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(doc)));
    }

    [Fact]
    public void A_response_without_an_assertion_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        doc.DocumentElement!.RemoveChild(Assertion(doc));
        Sign(doc.DocumentElement!);

        AssertRejected(SamlFailureReason.AssertionCount, Validate(Encode(doc)));
    }

    [Fact]
    public void An_encrypted_assertion_without_encrypted_data_is_rejected_as_malformed()
    {
        var doc = BuildResponse(new ResponseSpec());
        doc.DocumentElement!.RemoveChild(Assertion(doc));
        doc.DocumentElement!.AppendChild(doc.CreateElement("saml", "EncryptedAssertion", SamlConstants.AssertionNamespace));
        Sign(doc.DocumentElement!);

        // Encrypted assertions are decrypted now (EncryptedAssertionTests); an empty one is not a SAML EncryptedAssertion.
        AssertRejected(SamlFailureReason.Malformed, Validate(Encode(doc)));
    }

    [Fact]
    public void A_non_success_status_is_rejected_and_reports_the_standard_sub_status()
    {
        var xml = ResponseXml(new ResponseSpec()).Replace(
            $"<samlp:StatusCode Value=\"{SamlConstants.StatusSuccess}\"/>",
            "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Responder\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/></samlp:StatusCode>");

        var result = Validate(Encode(xml));

        AssertRejected(SamlFailureReason.StatusNotSuccess, result);
        Assert.Equal("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", result.IdpStatusCode);
    }

    [Fact]
    public void A_non_standard_status_code_is_not_echoed()
    {
        var result = Validate(SignedAssertionResponse(new ResponseSpec { StatusCode = "urn:evil:<script>" }));

        AssertRejected(SamlFailureReason.StatusNotSuccess, result);
        Assert.Null(result.IdpStatusCode);
    }

    [Fact]
    public void A_root_element_other_than_a_protocol_response_is_rejected()
    {
        var xml = ResponseXml(new ResponseSpec())
            .Replace("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"", "<samlp:Response xmlns:samlp=\"urn:example:not-saml\"");

        AssertRejected(SamlFailureReason.Malformed, Validate(Encode(xml)));
    }

    [Fact]
    public void A_doctype_with_an_entity_expansion_payload_is_rejected()
    {
        var xml = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
            + ResponseXml(new ResponseSpec()).Replace("alice@example.com</saml:NameID>", "&lol2;</saml:NameID>");

        AssertRejected(SamlFailureReason.DtdProhibited, Validate(Encode(xml)));
    }

    [Fact]
    public void A_doctype_with_an_external_entity_is_rejected()
    {
        var xml = "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + ResponseXml(new ResponseSpec()).Replace("alice@example.com</saml:NameID>", "&xxe;</saml:NameID>");

        AssertRejected(SamlFailureReason.DtdProhibited, Validate(Encode(xml)));
    }

    [Fact]
    public void An_oversized_response_is_rejected_before_parsing()
    {
        var spec = new ResponseSpec { Attributes = [("padding", [new string('x', 300 * 1024)])] };

        AssertRejected(SamlFailureReason.TooLarge, Validate(SignedAssertionResponse(spec)));
    }

    [Fact]
    public void An_oversized_base64_string_is_rejected_without_decoding()
    {
        AssertRejected(SamlFailureReason.TooLarge, Validate(new string('A', 2 * 1024 * 1024)));
    }

    [Fact]
    public void Excessively_deep_nesting_is_rejected_as_malformed()
    {
        var deep = string.Concat(Enumerable.Repeat("<x>", 5000)) + string.Concat(Enumerable.Repeat("</x>", 5000));
        var xml = ResponseXml(new ResponseSpec()).Replace("<samlp:Status>", deep + "<samlp:Status>");

        AssertRejected(SamlFailureReason.Malformed, Validate(Encode(xml)));
    }

    [Theory]
    [InlineData("%%% not base64 %%%")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("aGVsbG8gd29ybGQ=")] // "hello world": base64, but not XML
    [InlineData("PGE+")] // "<a>": unterminated XML
    public void Garbage_input_is_rejected_as_malformed(string input)
    {
        AssertRejected(SamlFailureReason.Malformed, Validate(input));
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><a/>")]
    [InlineData("<?xml-stylesheet href=\"x.xsl\"?><samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>")]
    [InlineData("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Version=\"2.0\"/>")]
    [InlineData("<a>\u0001</a>")]
    public void Odd_but_parseable_or_broken_documents_are_rejected_without_throwing(string xml)
    {
        var result = Validate(Encode(xml));

        Assert.False(result.Succeeded);
        Assert.Equal(SamlFailureReason.Malformed, result.Reason);
    }

    [Fact]
    public void Random_and_corrupted_inputs_never_throw()
    {
        var random = new Random(12345);
        var valid = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Convert.FromBase64String(SignedAssertionResponse())));
        for (var i = 0; i < 300; i++)
        {
            byte[] bytes;
            if (i % 3 == 0)
            {
                bytes = new byte[random.Next(1, 512)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])valid.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }

            var result = Validate(Convert.ToBase64String(bytes));

            if (!result.Succeeded)
            {
                Assert.NotEqual(SamlFailureReason.None, result.Reason);
            }
        }
    }

    [Fact]
    public void A_comment_inside_the_name_id_does_not_truncate_it()
    {
        // CVE-2017-11427 class: the IdP signs "admin@evil.com.attacker.com"; the attacker inserts a
        // comment, which exclusive c14n drops, so the signature still verifies. A parser reading only
        // the first text node would see "admin@evil.com".
        var doc = BuildResponse(new ResponseSpec { NameId = "admin@evil.com.attacker.com", Attributes = [] });
        Sign(Assertion(doc));
        var nameId = (XmlElement)doc.GetElementsByTagName("NameID", SamlConstants.AssertionNamespace)[0]!;
        var text = (XmlText)nameId.FirstChild!;
        var tail = text.SplitText("admin@evil.com".Length);
        nameId.InsertBefore(doc.CreateComment(""), tail);
        Assert.Contains("admin@evil.com<!---->.attacker.com", doc.OuterXml);

        var result = Validate(Encode(doc));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("admin@evil.com.attacker.com", result.Identity.NameId);
        Assert.Equal("admin@evil.com.attacker.com", result.Identity.Email);
    }

    [Fact]
    public void A_comment_inside_an_attribute_value_does_not_truncate_it()
    {
        var doc = BuildResponse(new ResponseSpec { Attributes = [("mail", ["bob@example.com.evil.test"])] });
        Sign(Assertion(doc));
        var value = (XmlElement)doc.GetElementsByTagName("AttributeValue", SamlConstants.AssertionNamespace)[0]!;
        var tail = ((XmlText)value.FirstChild!).SplitText("bob@example.com".Length);
        value.InsertBefore(doc.CreateComment("x"), tail);

        var result = Validate(Encode(doc));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("bob@example.com.evil.test", result.Identity.Email);
    }

    [Fact]
    public void Failure_messages_never_contain_any_part_of_the_response()
    {
        var spec = new ResponseSpec { NameId = "secret-user@example.com", SessionIndex = "_secret-session" };
        var doc = BuildResponse(spec);
        Sign(Assertion(doc));
        var tampered = (XmlDocument)doc.Clone();
        ((XmlElement)tampered.GetElementsByTagName("NameID", SamlConstants.AssertionNamespace)[0]!).InnerText = "secret-evil@example.com";

        var failures = new[]
        {
            Validate(Encode(tampered)),
            Validate(Encode(doc), Context(expectedInResponseTo: "_other")),
            Validate(Encode(doc), Context(now: Now.AddDays(1))),
            Validate(Encode(doc.OuterXml.Replace(IdpEntityId, "https://evil.example.test/"))),
        };

        foreach (var failure in failures)
        {
            Assert.False(failure.Succeeded);
            var text = failure.ToString();
            foreach (var secret in new[] { "secret", spec.AssertionId, spec.ResponseId, RequestId, "evil", "example.com", "<", "http" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void A_pretty_printed_response_posted_as_line_wrapped_base64_is_accepted()
    {
        // Several IdPs indent their XML and wrap base64 at 76 columns; whitespace is signed content.
        var indented = System.Xml.Linq.XDocument.Parse(ResponseXml(new ResponseSpec())).ToString();
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.LoadXml(indented);
        Sign(Assertion(doc));
        Sign(doc.DocumentElement!);
        var wrapped = Convert.ToBase64String(Encoding.UTF8.GetBytes(doc.OuterXml), Base64FormattingOptions.InsertLineBreaks);
        Assert.Contains("\n", wrapped);

        var result = Validate(wrapped);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("alice@example.com", result.Identity.NameId);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_tolerated()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc));
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(doc.OuterXml)).ToArray();

        Assert.True(Validate(Convert.ToBase64String(bytes)).Succeeded);
    }
}
