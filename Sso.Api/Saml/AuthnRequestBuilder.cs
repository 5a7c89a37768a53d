using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>Builds SP-initiated AuthnRequests for the HTTP-Redirect binding (SAML bindings §3.4).</summary>
public sealed class AuthnRequestBuilder
{
    private readonly SpConfig _sp;
    private readonly IdpConfig _idp;
    private readonly TimeProvider _clock;

    public AuthnRequestBuilder(SpConfig sp, IdpConfig idp, TimeProvider? clock = null)
    {
        _sp = sp ?? throw new ArgumentNullException(nameof(sp));
        _idp = idp ?? throw new ArgumentNullException(nameof(idp));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>A SAML ID: "_" + 128 random bits in hex (the underscore keeps it a valid xs:ID).</summary>
    public static string NewId() => "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Builds the redirect URL. The request is signed when the SP has a signing certificate;
    /// if the IdP requires signed requests and there is none, this throws rather than send one the IdP will refuse.
    /// </summary>
    public SamlRedirect BuildRedirect(string? relayState = null, bool forceAuthn = false)
    {
        var signingCert = _sp.SigningCertificate;
        if (signingCert is null && _idp.WantAuthnRequestsSigned)
        {
            throw new InvalidOperationException("The IdP requires signed AuthnRequests but no SP signing certificate is configured.");
        }

        var id = NewId();
        var xml = BuildXml(id, _clock.GetUtcNow(), forceAuthn);
        // The configured SSO URL may already carry a query (e.g. an IdP-specific tenant id).
        return new SamlRedirect(id, RedirectBinding.Url(_idp.SingleSignOnUrl, RedirectBinding.Encode(xml, RedirectBinding.RequestParameter, relayState, signingCert)));
    }

    internal string BuildXml(string id, DateTimeOffset issueInstant, bool forceAuthn)
    {
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Encoding = new UTF8Encoding(false) };
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, settings))
        {
            w.WriteStartElement("samlp", "AuthnRequest", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("xmlns", "saml", null, SamlConstants.AssertionNamespace);
            w.WriteAttributeString("ID", id);
            w.WriteAttributeString("Version", "2.0");
            w.WriteAttributeString("IssueInstant", FormatInstant(issueInstant));
            w.WriteAttributeString("Destination", _idp.SingleSignOnUrl);
            w.WriteAttributeString("AssertionConsumerServiceURL", _sp.AcsUrl);
            w.WriteAttributeString("ProtocolBinding", SamlConstants.HttpPostBinding);
            if (forceAuthn)
            {
                w.WriteAttributeString("ForceAuthn", "true");
            }

            w.WriteElementString("saml", "Issuer", SamlConstants.AssertionNamespace, _sp.EntityId);

            w.WriteStartElement("samlp", "NameIDPolicy", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("Format", _idp.NameIdFormat);
            w.WriteAttributeString("AllowCreate", "true");
            w.WriteEndElement();

            w.WriteEndElement();
        }

        return sb.ToString();
    }

    internal static string FormatInstant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
