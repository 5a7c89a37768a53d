using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

/// <summary>
/// Single logout messages (SAML core §3.7, bindings §3.4/§3.5): what the SP sends (signed LogoutRequest and
/// LogoutResponse by HTTP-Redirect) and what it accepts from the IdP: signed by a configured IdP key only, addressed to
/// this SP's SLO URL, fresh, new, answering our request (ASVS 50.x SAML rules of the checklist: signature, Destination,
/// IssueInstant, replay, InResponseTo).
/// </summary>
public class LogoutMessageTests
{
    private const string IdpSloUrl = "https://idp.example.test/saml/slo";
    private const string IdpSloResponseUrl = "https://idp.example.test/saml/slo/response";
    private static readonly string SloUrl = SpConfig().SloUrl;

    private static IdpConfig Idp(bool allowSha1 = false) => IdpConfig(allowSha1: allowSha1) with
    {
        SingleLogoutUrl = IdpSloUrl,
        SingleLogoutResponseUrl = IdpSloResponseUrl,
    };

    private static LogoutValidationContext Context(ReplayStore? replay = null, string? inResponseTo = null, DateTimeOffset? now = null) => new()
    {
        Idp = Idp(),
        ExpectedDestination = SloUrl,
        ExpectedInResponseTo = inResponseTo,
        TryRememberRequestId = (replay ?? new ReplayStore()).TryRemember,
        Clock = new FixedClock(now ?? Now),
    };

    private static string IdpLogoutRequestXml(string id = "_idp-logout-1", string? destination = null, DateTimeOffset? issued = null,
        string issuer = IdpEntityId, string sessionIndexes = "<samlp:SessionIndex>_s1</samlp:SessionIndex>") =>
        $"""<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{AuthnRequestBuilder.FormatInstant(issued ?? Now)}" Destination="{destination ?? SloUrl}"><saml:Issuer>{issuer}</saml:Issuer><saml:NameID Format="{SamlConstants.NameIdFormatPersistent}">emp-42</saml:NameID>{sessionIndexes}</samlp:LogoutRequest>""";

    private static string IdpLogoutResponseXml(string inResponseTo, string status = SamlConstants.StatusSuccess, string? destination = null) =>
        $"""<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_idp-response-1" Version="2.0" IssueInstant="{AuthnRequestBuilder.FormatInstant(Now)}" Destination="{destination ?? SloUrl}" InResponseTo="{inResponseTo}"><saml:Issuer>{IdpEntityId}</saml:Issuer><samlp:Status>{status}</samlp:Status></samlp:LogoutResponse>""";

    private static string Status(string code, string? inner = null) =>
        $"""<samlp:StatusCode Value="{code}">{(inner is null ? "" : $"<samlp:StatusCode Value=\"{inner}\"/>")}</samlp:StatusCode>""";

    /// <summary>An HTTP-Redirect query signed by hand (not with the code under test): the octets of bindings §3.4.4.1.</summary>
    private static string SignedQuery(string parameter, byte[] deflated, X509Certificate2 key, string sigAlg = SamlConstants.RsaSha256,
        string? relayState = null)
    {
        var query = $"{parameter}={Uri.EscapeDataString(Convert.ToBase64String(deflated))}"
            + (relayState is null ? "" : $"&RelayState={Uri.EscapeDataString(relayState)}")
            + $"&SigAlg={Uri.EscapeDataString(sigAlg)}";
        using var rsa = key.GetRSAPrivateKey()!;
        var hash = sigAlg == SamlConstants.RsaSha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var signature = rsa.SignData(Encoding.UTF8.GetBytes(query), hash, RSASignaturePadding.Pkcs1);
        return "?" + query + "&Signature=" + Uri.EscapeDataString(Convert.ToBase64String(signature));
    }

    private static byte[] Deflate(string xml)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(xml));
        }
        return buffer.ToArray();
    }

    private static string SignedPost(string xml, X509Certificate2? key = null)
    {
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.LoadXml(xml);
        Sign(doc.DocumentElement!, key);
        return Encode(doc);
    }

    private static LogoutValidationResult<ValidLogoutRequest> ValidateRequest(LogoutBinding binding, LogoutValidationContext? ctx = null) =>
        LogoutMessageValidator.ValidateRequestAsync(binding, ctx ?? Context()).GetAwaiter().GetResult();

    private static XmlElement InflateParameter(string url, string name)
    {
        var raw = url[(url.IndexOf('?') + 1)..].Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == name)[1];
        using var inflate = new DeflateStream(new MemoryStream(Convert.FromBase64String(Uri.UnescapeDataString(raw))), CompressionMode.Decompress);
        var doc = new XmlDocument();
        doc.Load(inflate);
        return doc.DocumentElement!;
    }

    // ---- What the SP sends ----------------------------------------------------------------------------------------

    [Fact]
    public void The_logout_request_carries_name_id_and_session_index_and_a_query_signature_of_the_sp_key()
    {
        var builder = new LogoutMessageBuilder(new SpConfig(SpEntityId, SpCertificate), Idp(), new FixedClock(Now));

        var redirect = builder.BuildLogoutRequest("emp-42", SamlConstants.NameIdFormatPersistent, "_s1");

        Assert.StartsWith(IdpSloUrl + "?SAMLRequest=", redirect.Url);
        var request = InflateParameter(redirect.Url, "SAMLRequest");
        Assert.Equal("LogoutRequest", request.LocalName);
        Assert.Equal(redirect.RequestId, request.GetAttribute("ID"));
        Assert.Equal(IdpSloUrl, request.GetAttribute("Destination"));
        Assert.Equal("2030-01-01T12:00:00Z", request.GetAttribute("IssueInstant"));
        Assert.Equal(SpEntityId, request["Issuer", SamlConstants.AssertionNamespace]!.InnerText);
        var nameId = request["NameID", SamlConstants.AssertionNamespace]!;
        Assert.Equal("emp-42", nameId.InnerText);
        Assert.Equal(SamlConstants.NameIdFormatPersistent, nameId.GetAttribute("Format"));
        Assert.Equal("_s1", request["SessionIndex", SamlConstants.ProtocolNamespace]!.InnerText);

        // The signature covers the query octets before "&Signature=", with the SP's public key.
        var query = redirect.Url[(redirect.Url.IndexOf('?') + 1)..];
        var signedPart = query[..query.IndexOf("&Signature=", StringComparison.Ordinal)];
        var signature = Convert.FromBase64String(Uri.UnescapeDataString(query[(query.IndexOf("&Signature=", StringComparison.Ordinal) + 11)..]));
        using var publicKey = PublicOnly(SpCertificate).GetRSAPublicKey()!;
        Assert.Contains("&SigAlg=" + Uri.EscapeDataString(SamlConstants.RsaSha256), signedPart);
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(signedPart), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void The_logout_response_answers_the_idps_request_at_its_response_location_with_its_relay_state()
    {
        var builder = new LogoutMessageBuilder(new SpConfig(SpEntityId, SpCertificate), Idp(), new FixedClock(Now));

        var redirect = builder.BuildLogoutResponse("_idp-logout-1", SamlConstants.StatusSuccess, "back-to-portal");

        Assert.StartsWith(IdpSloResponseUrl + "?SAMLResponse=", redirect.Url);
        Assert.Contains("&RelayState=back-to-portal&SigAlg=", redirect.Url);
        var response = InflateParameter(redirect.Url, "SAMLResponse");
        Assert.Equal("LogoutResponse", response.LocalName);
        Assert.Equal("_idp-logout-1", response.GetAttribute("InResponseTo"));
        Assert.Equal(IdpSloResponseUrl, response.GetAttribute("Destination"));
        var status = response["Status", SamlConstants.ProtocolNamespace]!["StatusCode", SamlConstants.ProtocolNamespace]!;
        Assert.Equal(SamlConstants.StatusSuccess, status.GetAttribute("Value"));
    }

    [Fact]
    public void Logout_messages_are_never_sent_unsigned()
    {
        var builder = new LogoutMessageBuilder(SpConfig(), Idp(), new FixedClock(Now));

        Assert.Throws<InvalidOperationException>(() => builder.BuildLogoutRequest("emp-42", null, null));
        Assert.Throws<InvalidOperationException>(() => builder.BuildLogoutResponse("_x", SamlConstants.StatusSuccess, null));
    }

    // ---- The IdP's LogoutRequest ----------------------------------------------------------------------------------

    [Fact]
    public void A_logout_request_signed_by_the_idp_in_the_redirect_query_names_whom_to_sign_out()
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml(sessionIndexes: "<samlp:SessionIndex>_s1</samlp:SessionIndex><samlp:SessionIndex>_s2</samlp:SessionIndex>")),
            SigningCertificate, relayState: "rs 1");

        var result = ValidateRequest(new LogoutBinding.Redirect(query));

        Assert.True(result.Succeeded, result.Reason.ToString());
        Assert.Equal("emp-42", result.Message!.NameId);
        Assert.Equal(SamlConstants.NameIdFormatPersistent, result.Message.NameIdFormat);
        Assert.Equal(["_s1", "_s2"], result.Message.SessionIndexes);
        Assert.Equal("_idp-logout-1", result.Message.Id);
        Assert.Equal("rs 1", result.Message.RelayState);
    }

    [Fact]
    public void A_logout_request_posted_with_an_enveloped_idp_signature_is_accepted()
    {
        var result = ValidateRequest(new LogoutBinding.Post(SignedPost(IdpLogoutRequestXml()), null));

        Assert.True(result.Succeeded, result.Reason.ToString());
        Assert.Equal(["_s1"], result.Message!.SessionIndexes);
    }

    [Fact]
    public void An_unsigned_logout_request_is_refused_in_either_binding()
    {
        var unsignedQuery = "?SAMLRequest=" + Uri.EscapeDataString(Convert.ToBase64String(Deflate(IdpLogoutRequestXml())));

        Assert.Equal(SamlFailureReason.NotSigned, ValidateRequest(new LogoutBinding.Redirect(unsignedQuery)).Reason);
        Assert.Equal(SamlFailureReason.NotSigned, ValidateRequest(new LogoutBinding.Post(Encode(IdpLogoutRequestXml()), null)).Reason);
    }

    [Fact]
    public void A_logout_request_signed_with_another_key_is_refused_in_either_binding()
    {
        var forged = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), AttackerCertificate);

        Assert.Equal(SamlFailureReason.SignatureInvalid, ValidateRequest(new LogoutBinding.Redirect(forged)).Reason);
        Assert.False(ValidateRequest(new LogoutBinding.Post(SignedPost(IdpLogoutRequestXml(), AttackerCertificate), null)).Succeeded);
    }

    [Fact]
    public void A_redirect_query_changed_after_signing_is_refused()
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), SigningCertificate);
        var other = Uri.EscapeDataString(Convert.ToBase64String(Deflate(IdpLogoutRequestXml().Replace("emp-42", "emp-43"))));
        var tampered = "?SAMLRequest=" + other + query[query.IndexOf("&SigAlg", StringComparison.Ordinal)..];

        Assert.Equal(SamlFailureReason.SignatureInvalid, ValidateRequest(new LogoutBinding.Redirect(tampered)).Reason);
        // A RelayState added after signing is not covered either.
        Assert.Equal(SamlFailureReason.SignatureInvalid, ValidateRequest(new LogoutBinding.Redirect(query + "&RelayState=x")).Reason);
    }

    [Fact]
    public void A_sha1_query_signature_is_refused_unless_the_connection_allows_sha1()
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), SigningCertificate, SamlConstants.RsaSha1);

        Assert.Equal(SamlFailureReason.WeakAlgorithm, ValidateRequest(new LogoutBinding.Redirect(query)).Reason);
    }

    [Theory]
    [InlineData("https://sso.example.test/login/saml/other/slo")]
    [InlineData("")]
    public void A_logout_request_for_another_destination_is_refused(string destination)
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml(destination: destination)), SigningCertificate);

        Assert.Equal(SamlFailureReason.DestinationMismatch, ValidateRequest(new LogoutBinding.Redirect(query)).Reason);
    }

    [Fact]
    public void A_logout_request_from_another_issuer_is_refused()
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml(issuer: "https://other-idp.example/")), SigningCertificate);

        Assert.Equal(SamlFailureReason.IssuerMismatch, ValidateRequest(new LogoutBinding.Redirect(query)).Reason);
    }

    [Fact]
    public void A_stale_or_future_logout_request_is_refused()
    {
        var stale = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml(issued: Now.AddMinutes(-8))), SigningCertificate);
        var future = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml(issued: Now.AddMinutes(3))), SigningCertificate);

        Assert.Equal(SamlFailureReason.Stale, ValidateRequest(new LogoutBinding.Redirect(stale)).Reason);
        Assert.Equal(SamlFailureReason.NotYetValid, ValidateRequest(new LogoutBinding.Redirect(future)).Reason);
    }

    [Fact]
    public void A_replayed_logout_request_is_refused_and_a_refused_one_consumes_no_id()
    {
        var replay = new ReplayStore();
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), SigningCertificate);
        var forged = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), AttackerCertificate);

        Assert.False(ValidateRequest(new LogoutBinding.Redirect(forged), Context(replay)).Succeeded);
        Assert.Empty(replay.Seen);
        Assert.True(ValidateRequest(new LogoutBinding.Redirect(query), Context(replay)).Succeeded);
        Assert.Equal(SamlFailureReason.Replay, ValidateRequest(new LogoutBinding.Redirect(query), Context(replay)).Reason);
        Assert.Equal(Now.AddMinutes(7), replay.Seen["_idp-logout-1"]);
    }

    [Fact]
    public void A_signed_deflate_bomb_is_refused_as_too_large()
    {
        // Even signed by the IdP's own key: 10 MB of zeros after the XML never gets inflated past 64 KiB.
        var bomb = new MemoryStream();
        using (var deflate = new DeflateStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(IdpLogoutRequestXml()));
            deflate.Write(new byte[10 * 1024 * 1024]);
        }
        var query = SignedQuery("SAMLRequest", bomb.ToArray(), SigningCertificate);

        Assert.Equal(SamlFailureReason.TooLarge, ValidateRequest(new LogoutBinding.Redirect(query)).Reason);
    }

    [Fact]
    public void A_logout_request_with_a_doctype_is_refused_like_at_the_acs()
    {
        var xml = "<!DOCTYPE r [<!ENTITY x \"y\">]>" + IdpLogoutRequestXml().Replace("emp-42", "&x;");
        var query = SignedQuery("SAMLRequest", Deflate(xml), SigningCertificate);

        Assert.Equal(SamlFailureReason.DtdProhibited, ValidateRequest(new LogoutBinding.Redirect(query)).Reason);
    }

    [Fact]
    public void Two_saml_request_parameters_are_refused()
    {
        var query = SignedQuery("SAMLRequest", Deflate(IdpLogoutRequestXml()), SigningCertificate);

        Assert.Equal(SamlFailureReason.Malformed, ValidateRequest(new LogoutBinding.Redirect(query + "&SAMLRequest=abc")).Reason);
    }

    // ---- The IdP's LogoutResponse ---------------------------------------------------------------------------------

    [Fact]
    public void A_signed_logout_response_to_our_request_reports_success()
    {
        var query = SignedQuery("SAMLResponse", Deflate(IdpLogoutResponseXml("_ours", Status(SamlConstants.StatusSuccess))), SigningCertificate);

        var result = LogoutMessageValidator.ValidateResponse(new LogoutBinding.Redirect(query), Context(inResponseTo: "_ours"));

        Assert.True(result.Succeeded, result.Reason.ToString());
        Assert.True(result.Message!.Success);
    }

    [Fact]
    public void A_partial_logout_is_reported_with_its_status()
    {
        const string partial = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
        var xml = IdpLogoutResponseXml("_ours", Status("urn:oasis:names:tc:SAML:2.0:status:Responder", partial));

        var result = LogoutMessageValidator.ValidateResponse(new LogoutBinding.Post(SignedPost(xml), null), Context(inResponseTo: "_ours"));

        Assert.True(result.Succeeded, result.Reason.ToString());
        Assert.False(result.Message!.Success);
        Assert.Equal(partial, result.Message.StatusCode);
    }

    [Theory]
    [InlineData("_ours", null)]
    [InlineData("_ours", "_another")]
    public void A_logout_response_to_no_or_another_request_is_refused(string inResponseTo, string? expected)
    {
        var query = SignedQuery("SAMLResponse", Deflate(IdpLogoutResponseXml(inResponseTo, Status(SamlConstants.StatusSuccess))), SigningCertificate);

        Assert.Equal(SamlFailureReason.InResponseToMismatch,
            LogoutMessageValidator.ValidateResponse(new LogoutBinding.Redirect(query), Context(inResponseTo: expected)).Reason);
    }

    [Fact]
    public void A_logout_response_signed_by_another_key_or_for_another_destination_is_refused()
    {
        var forged = SignedQuery("SAMLResponse", Deflate(IdpLogoutResponseXml("_ours", Status(SamlConstants.StatusSuccess))), AttackerCertificate);
        var elsewhere = SignedQuery("SAMLResponse",
            Deflate(IdpLogoutResponseXml("_ours", Status(SamlConstants.StatusSuccess), destination: "https://evil.example/slo")), SigningCertificate);

        Assert.Equal(SamlFailureReason.SignatureInvalid,
            LogoutMessageValidator.ValidateResponse(new LogoutBinding.Redirect(forged), Context(inResponseTo: "_ours")).Reason);
        Assert.Equal(SamlFailureReason.DestinationMismatch,
            LogoutMessageValidator.ValidateResponse(new LogoutBinding.Redirect(elsewhere), Context(inResponseTo: "_ours")).Reason);
    }

    [Fact]
    public void What_the_sp_sends_is_what_the_validator_would_accept_from_an_idp_with_the_sp_key()
    {
        // Round trip: our LogoutResponse, read back as if we were the IdP trusting the SP certificate.
        var builder = new LogoutMessageBuilder(new SpConfig(SpEntityId, SpCertificate), Idp(), new FixedClock(Now));
        var url = builder.BuildLogoutResponse("_idp-logout-1", SamlConstants.StatusSuccess, null).Url;
        var asIdp = new LogoutValidationContext
        {
            Idp = new IdpConfig { EntityId = SpEntityId, SingleSignOnUrl = IdpSsoUrl, SigningCertificates = [PublicOnly(SpCertificate)] },
            ExpectedDestination = IdpSloResponseUrl,
            ExpectedInResponseTo = "_idp-logout-1",
            Clock = new FixedClock(Now),
        };

        var result = LogoutMessageValidator.ValidateResponse(new LogoutBinding.Redirect(url[url.IndexOf('?')..]), asIdp);

        Assert.True(result.Succeeded, result.Reason.ToString());
        Assert.True(result.Message!.Success);
    }
}
