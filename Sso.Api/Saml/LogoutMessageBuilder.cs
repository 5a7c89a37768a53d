using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// Builds the SP's single logout messages (SAML core §3.7) for the HTTP-Redirect binding, signed in the query with the
/// account's current SP key: a LogoutRequest for a platform sign-out, and the LogoutResponse to an IdP's request.
/// </summary>
public sealed class LogoutMessageBuilder(SpConfig sp, IdpConfig idp, TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    /// <summary>The signed LogoutRequest to the IdP's SingleLogoutService for the session's NameID and SessionIndex.</summary>
    public SamlRedirect BuildLogoutRequest(string nameId, string? nameIdFormat, string? sessionIndex, string? relayState = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameId);
        var location = idp.SingleLogoutUrl ?? throw new InvalidOperationException("The IdP has no SingleLogoutService.");
        var certificate = sp.SigningCertificate ?? throw new InvalidOperationException("Logout requests must be signed: no SP signing certificate.");
        var id = AuthnRequestBuilder.NewId();
        var xml = Write(w =>
        {
            w.WriteStartElement("samlp", "LogoutRequest", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("xmlns", "saml", null, SamlConstants.AssertionNamespace);
            Header(w, id, location);
            w.WriteElementString("saml", "Issuer", SamlConstants.AssertionNamespace, sp.EntityId);
            w.WriteStartElement("saml", "NameID", SamlConstants.AssertionNamespace);
            if (!string.IsNullOrEmpty(nameIdFormat))
            {
                w.WriteAttributeString("Format", nameIdFormat);
            }
            w.WriteString(nameId);
            w.WriteEndElement();
            if (!string.IsNullOrEmpty(sessionIndex))
            {
                w.WriteElementString("samlp", "SessionIndex", SamlConstants.ProtocolNamespace, sessionIndex);
            }
            w.WriteEndElement();
        });
        return new SamlRedirect(id, RedirectBinding.Url(location, RedirectBinding.Encode(xml, RedirectBinding.RequestParameter, relayState, certificate)));
    }

    /// <summary>The signed LogoutResponse to the IdP's request <paramref name="inResponseTo"/>, sent to its SLO response location.</summary>
    public SamlRedirect BuildLogoutResponse(string inResponseTo, string statusCode, string? relayState)
    {
        ArgumentException.ThrowIfNullOrEmpty(inResponseTo);
        var location = idp.SingleLogoutResponseUrl ?? idp.SingleLogoutUrl ?? throw new InvalidOperationException("The IdP has no SingleLogoutService.");
        var certificate = sp.SigningCertificate ?? throw new InvalidOperationException("Logout responses must be signed: no SP signing certificate.");
        var id = AuthnRequestBuilder.NewId();
        var xml = Write(w =>
        {
            w.WriteStartElement("samlp", "LogoutResponse", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("xmlns", "saml", null, SamlConstants.AssertionNamespace);
            Header(w, id, location);
            w.WriteAttributeString("InResponseTo", inResponseTo);
            w.WriteElementString("saml", "Issuer", SamlConstants.AssertionNamespace, sp.EntityId);
            w.WriteStartElement("samlp", "Status", SamlConstants.ProtocolNamespace);
            w.WriteStartElement("samlp", "StatusCode", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("Value", statusCode);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
        return new SamlRedirect(id, RedirectBinding.Url(location,
            RedirectBinding.Encode(xml, RedirectBinding.ResponseParameter, RelayStateOrNull(relayState), certificate)));
    }

    /// <summary>The IdP's RelayState goes back unchanged (bindings §3.4.3), unless it breaks the 80-byte rule.</summary>
    private static string? RelayStateOrNull(string? relayState) =>
        relayState is not null && Encoding.UTF8.GetByteCount(relayState) <= RedirectBinding.MaxRelayStateBytes ? relayState : null;

    private void Header(XmlWriter w, string id, string destination)
    {
        w.WriteAttributeString("ID", id);
        w.WriteAttributeString("Version", "2.0");
        w.WriteAttributeString("IssueInstant", AuthnRequestBuilder.FormatInstant(clock.GetUtcNow()));
        w.WriteAttributeString("Destination", destination);
    }

    private static string Write(Action<XmlWriter> body)
    {
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { OmitXmlDeclaration = true, Encoding = new UTF8Encoding(false) }))
        {
            body(w);
        }
        return sb.ToString();
    }
}
