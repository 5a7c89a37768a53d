namespace Sso.Api.Saml;

/// <summary>Namespace and URI constants from the SAML 2.0 and XML-DSig specifications.</summary>
public static class SamlConstants
{
    public const string ProtocolNamespace = "urn:oasis:names:tc:SAML:2.0:protocol";
    public const string AssertionNamespace = "urn:oasis:names:tc:SAML:2.0:assertion";
    public const string MetadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata";
    public const string XmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

    public const string StatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public const string BearerMethod = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

    public const string HttpPostBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    public const string HttpRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

    public const string NameIdFormatEmail = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    public const string NameIdFormatPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    public const string NameIdFormatUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    public const string NameIdFormatTransient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    public const string NameIdFormatEntity = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

    public const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public const string RsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
    public const string RsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";

    public const string DigestSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
    public const string DigestSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    public const string DigestSha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
    public const string DigestSha512 = "http://www.w3.org/2001/04/xmlenc#sha512";

    public const string ExclusiveC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
    public const string EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
}
