using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

public class AuthnRequestBuilderTests
{
    private static AuthnRequestBuilder Builder(SpConfig? sp = null, IdpConfig? idp = null) =>
        new(sp ?? SpConfig(), idp ?? IdpConfig(), new FixedClock(Now));

    /// <summary>The raw (still URL-encoded) query parameters, in order.</summary>
    private static List<(string Name, string RawValue)> RawQuery(string url)
    {
        var query = url[(url.IndexOf('?') + 1)..];
        return query.Split('&').Select(p => p.Split('=', 2)).Select(p => (p[0], p[1])).ToList();
    }

    private static string Param(string url, string name) =>
        Uri.UnescapeDataString(RawQuery(url).Single(p => p.Name == name).RawValue);

    private static XmlDocument Inflate(string samlRequest)
    {
        using var input = new MemoryStream(Convert.FromBase64String(samlRequest));
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(inflate, Encoding.UTF8);
        var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        doc.LoadXml(reader.ReadToEnd());
        return doc;
    }

    [Fact]
    public void The_redirect_url_inflates_to_an_authn_request_for_this_sp()
    {
        var redirect = Builder().BuildRedirect("state-123");

        Assert.StartsWith(IdpSsoUrl + "?SAMLRequest=", redirect.Url);
        Assert.Matches("^_[0-9a-f]{32}$", redirect.RequestId);
        Assert.Equal("state-123", Param(redirect.Url, "RelayState"));
        Assert.DoesNotContain(RawQuery(redirect.Url), p => p.Name is "Signature" or "SigAlg");

        var request = Inflate(Param(redirect.Url, "SAMLRequest")).DocumentElement!;
        Assert.Equal("AuthnRequest", request.LocalName);
        Assert.Equal(SamlConstants.ProtocolNamespace, request.NamespaceURI);
        Assert.Equal(redirect.RequestId, request.GetAttribute("ID"));
        Assert.Equal("2.0", request.GetAttribute("Version"));
        Assert.Equal("2030-01-01T12:00:00Z", request.GetAttribute("IssueInstant"));
        Assert.Equal(IdpSsoUrl, request.GetAttribute("Destination"));
        Assert.Equal(AcsUrl, request.GetAttribute("AssertionConsumerServiceURL"));
        Assert.Equal(SamlConstants.HttpPostBinding, request.GetAttribute("ProtocolBinding"));
        Assert.Equal(SpEntityId, request["Issuer", SamlConstants.AssertionNamespace]!.InnerText);
        var policy = request["NameIDPolicy", SamlConstants.ProtocolNamespace]!;
        Assert.Equal(SamlConstants.NameIdFormatUnspecified, policy.GetAttribute("Format"));
        Assert.Equal("true", policy.GetAttribute("AllowCreate"));
    }

    [Fact]
    public void A_signed_redirect_carries_a_signature_over_the_exact_query_string()
    {
        var sp = new SpConfig(SpEntityId, SpCertificate);

        var redirect = Builder(sp).BuildRedirect("state/with spaces&symbols");

        var raw = RawQuery(redirect.Url);
        Assert.Equal(["SAMLRequest", "RelayState", "SigAlg", "Signature"], raw.Select(p => p.Name));
        Assert.Equal(SamlConstants.RsaSha256, Param(redirect.Url, "SigAlg"));
        Assert.Equal("state/with spaces&symbols", Param(redirect.Url, "RelayState"));

        var signedOctets = Encoding.UTF8.GetBytes($"SAMLRequest={raw[0].RawValue}&RelayState={raw[1].RawValue}&SigAlg={raw[2].RawValue}");
        var signature = Convert.FromBase64String(Param(redirect.Url, "Signature"));
        using var publicKey = PublicOnly(SpCertificate).GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData(signedOctets, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var tampered = Encoding.UTF8.GetBytes($"SAMLRequest={raw[0].RawValue}&RelayState=other&SigAlg={raw[2].RawValue}");
        Assert.False(publicKey.VerifyData(tampered, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.Equal(redirect.RequestId, Inflate(Param(redirect.Url, "SAMLRequest")).DocumentElement!.GetAttribute("ID"));
    }

    [Fact]
    public void A_signed_redirect_without_relay_state_signs_only_request_and_algorithm()
    {
        var redirect = Builder(new SpConfig(SpEntityId, SpCertificate)).BuildRedirect();

        var raw = RawQuery(redirect.Url);
        Assert.Equal(["SAMLRequest", "SigAlg", "Signature"], raw.Select(p => p.Name));
        var signedOctets = Encoding.UTF8.GetBytes($"SAMLRequest={raw[0].RawValue}&SigAlg={raw[1].RawValue}");
        using var publicKey = SpCertificate.GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData(signedOctets, Convert.FromBase64String(Param(redirect.Url, "Signature")), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void An_sso_url_that_already_has_a_query_gets_the_parameters_appended()
    {
        var idp = IdpConfig() with { SingleSignOnUrl = IdpSsoUrl + "?tenant=42" };

        var redirect = Builder(idp: idp).BuildRedirect();

        Assert.StartsWith(IdpSsoUrl + "?tenant=42&SAMLRequest=", redirect.Url);
    }

    [Fact]
    public void Each_request_gets_a_fresh_id()
    {
        var builder = Builder();

        Assert.NotEqual(builder.BuildRedirect().RequestId, builder.BuildRedirect().RequestId);
    }

    [Fact]
    public void Force_authn_is_sent_when_requested()
    {
        var redirect = Builder().BuildRedirect(forceAuthn: true);

        Assert.Equal("true", Inflate(Param(redirect.Url, "SAMLRequest")).DocumentElement!.GetAttribute("ForceAuthn"));
    }

    [Fact]
    public void An_idp_that_wants_signed_requests_cannot_be_sent_an_unsigned_one()
    {
        var idp = IdpConfig() with { WantAuthnRequestsSigned = true };

        Assert.Throws<InvalidOperationException>(() => Builder(idp: idp).BuildRedirect());
    }

    [Fact]
    public void A_relay_state_longer_than_80_bytes_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Builder().BuildRedirect(new string('r', 81)));
    }

    [Theory]
    [InlineData("https://sso.example.test/login/saml/contoso")]
    [InlineData("/login/saml/contoso/")]
    [InlineData("ftp://sso.example.test/login/saml/contoso/")]
    public void An_sp_entity_id_that_is_not_an_absolute_slash_terminated_url_is_refused(string entityId)
    {
        Assert.Throws<ArgumentException>(() => new SpConfig(entityId));
    }

    [Fact]
    public void The_acs_url_is_the_entity_id_plus_acs()
    {
        Assert.Equal("https://sso.example.test/login/saml/contoso/acs", SpConfig().AcsUrl);
    }
}
