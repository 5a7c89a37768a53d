using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// Reads an IdP EntityDescriptor. Metadata is supplied by an account administrator, who is
/// trusted to choose the IdP; its own signature (if any) is therefore not checked here.
/// </summary>
public static class IdpMetadataReader
{
    public const int MaxMetadataBytes = 1024 * 1024;

    /// <param name="xml">An EntityDescriptor, or an EntitiesDescriptor holding the IdP.</param>
    /// <param name="entityId">Which entity to pick from an aggregate; optional when there is only one IdP.</param>
    /// <exception cref="SamlMetadataException">The document is unusable.</exception>
    public static IdpMetadata Read(string xml, string? entityId = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var bytes = Encoding.UTF8.GetBytes(xml);
        if (bytes.Length > MaxMetadataBytes)
        {
            throw new SamlMetadataException("too-large", "Metadata is too large.");
        }

        switch (SafeXml.TryLoad(bytes, out var doc))
        {
            case SafeXml.LoadError.DtdProhibited:
                throw new SamlMetadataException("dtd", "Metadata must not contain a DTD.");
            case SafeXml.LoadError.Malformed:
                throw new SamlMetadataException("not-xml", "Metadata is not well-formed XML.");
        }

        var root = doc!.DocumentElement!;
        var candidates = new List<XmlElement>();
        if (Is(root, "EntityDescriptor"))
        {
            candidates.Add(root);
        }
        else if (Is(root, "EntitiesDescriptor"))
        {
            CollectEntities(root, candidates);
        }
        else
        {
            throw new SamlMetadataException("not-metadata", "Metadata root is not a SAML EntityDescriptor or EntitiesDescriptor.");
        }

        var idps = candidates
            .Where(e => FindIdpDescriptor(e) is not null)
            .Where(e => entityId is null || SafeXml.Attr(e, "entityID") == entityId)
            .ToList();
        if (idps.Count != 1)
        {
            throw idps.Count == 0
                ? new SamlMetadataException("no-idp", "Metadata contains no matching SAML 2.0 identity provider.")
                : new SamlMetadataException("several-idps", "Metadata contains several identity providers; specify the entity id.");
        }

        var entity = idps[0];
        var descriptor = FindIdpDescriptor(entity)!;

        var id = SafeXml.Attr(entity, "entityID");
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new SamlMetadataException("no-entity-id", "Metadata EntityDescriptor has no entityID.");
        }

        var ssoUrl = SafeXml.Children(descriptor, SamlConstants.MetadataNamespace, "SingleSignOnService")
            .Where(e => SafeXml.Attr(e, "Binding") == SamlConstants.HttpRedirectBinding)
            .Select(e => SafeXml.Attr(e, "Location"))
            .FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
        if (ssoUrl is null || !Uri.TryCreate(ssoUrl, UriKind.Absolute, out _))
        {
            throw new SamlMetadataException("no-sso-url", "Metadata has no HTTP-Redirect SingleSignOnService location.");
        }

        var certs = ReadSigningCertificates(descriptor);
        if (certs.Count == 0)
        {
            throw new SamlMetadataException("no-certificate", "Metadata has no signing certificate for the identity provider.");
        }

        var wantSigned = SafeXml.Attr(descriptor, "WantAuthnRequestsSigned") is { } w
            && (w == "true" || w == "1");

        // Single logout is optional (Google Workspace has none); we send and answer by HTTP-Redirect only.
        var slo = SafeXml.Children(descriptor, SamlConstants.MetadataNamespace, "SingleLogoutService")
            .FirstOrDefault(e => SafeXml.Attr(e, "Binding") == SamlConstants.HttpRedirectBinding
                && Uri.TryCreate(SafeXml.Attr(e, "Location"), UriKind.Absolute, out _));
        var sloUrl = slo is null ? null : SafeXml.Attr(slo, "Location");
        var sloResponseUrl = slo is not null && SafeXml.Attr(slo, "ResponseLocation") is { } r && Uri.TryCreate(r, UriKind.Absolute, out _) ? r : null;

        return new IdpMetadata(id, ssoUrl, certs, wantSigned, sloUrl, sloResponseUrl);
    }

    private static bool Is(XmlElement e, string localName) =>
        e.LocalName == localName && e.NamespaceURI == SamlConstants.MetadataNamespace;

    private static void CollectEntities(XmlElement parent, List<XmlElement> into)
    {
        foreach (var e in SafeXml.Children(parent, SamlConstants.MetadataNamespace, "EntityDescriptor"))
        {
            into.Add(e);
        }

        // Aggregates may nest; depth is already bounded by SafeXml.
        foreach (var nested in SafeXml.Children(parent, SamlConstants.MetadataNamespace, "EntitiesDescriptor"))
        {
            CollectEntities(nested, into);
        }
    }

    private static XmlElement? FindIdpDescriptor(XmlElement entity) =>
        SafeXml.Children(entity, SamlConstants.MetadataNamespace, "IDPSSODescriptor")
            .FirstOrDefault(d => (SafeXml.Attr(d, "protocolSupportEnumeration") ?? string.Empty)
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Contains(SamlConstants.ProtocolNamespace, StringComparer.Ordinal));

    private static List<X509Certificate2> ReadSigningCertificates(XmlElement descriptor)
    {
        var certs = new List<X509Certificate2>();
        foreach (var key in SafeXml.Children(descriptor, SamlConstants.MetadataNamespace, "KeyDescriptor"))
        {
            // A KeyDescriptor without "use" applies to both signing and encryption.
            var use = SafeXml.Attr(key, "use");
            if (use is not null && use != "signing")
            {
                continue;
            }

            foreach (var keyInfo in SafeXml.Children(key, SamlConstants.XmlDsigNamespace, "KeyInfo"))
            {
                foreach (var data in SafeXml.Children(keyInfo, SamlConstants.XmlDsigNamespace, "X509Data"))
                {
                    foreach (var certElement in SafeXml.Children(data, SamlConstants.XmlDsigNamespace, "X509Certificate"))
                    {
                        certs.Add(ParseCertificate(certElement.InnerText));
                    }
                }
            }
        }

        // Same certificate listed twice (e.g. once without "use") needs verifying only once.
        return certs.DistinctBy(c => c.Thumbprint).ToList();
    }

    private static X509Certificate2 ParseCertificate(string base64)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64.Trim()));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new SamlMetadataException("bad-certificate", "Metadata contains an unreadable X509Certificate.");
        }
    }
}
