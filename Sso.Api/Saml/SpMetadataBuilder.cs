using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>Produces the SP's EntityDescriptor for IdP administrators to import.</summary>
public static class SpMetadataBuilder
{
    public static string Build(SpConfig sp)
    {
        ArgumentNullException.ThrowIfNull(sp);
        return Build(sp, sp.SigningCertificate is { } certificate ? [certificate.RawData] : []);
    }

    /// <param name="signingCertificates">
    /// DER of the public certificates to publish: the current one and, during a rollover, the next or previous one.
    /// Public parts only, so metadata never needs the private key.
    /// </param>
    /// <param name="encryptionCertificates">
    /// DER of the SP encryption certificates (current first, then next or previous during a rollover), published as
    /// <c>KeyDescriptor use="encryption"</c> with the algorithms <see cref="AssertionDecryptor"/> accepts.
    /// </param>
    public static string Build(SpConfig sp, IReadOnlyList<byte[]> signingCertificates, IReadOnlyList<byte[]>? encryptionCertificates = null)
    {
        ArgumentNullException.ThrowIfNull(sp);
        ArgumentNullException.ThrowIfNull(signingCertificates);

        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true };
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, settings))
        {
            w.WriteStartElement("md", "EntityDescriptor", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("entityID", sp.EntityId);

            w.WriteStartElement("md", "SPSSODescriptor", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("protocolSupportEnumeration", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("AuthnRequestsSigned", signingCertificates.Count == 0 ? "false" : "true");
            w.WriteAttributeString("WantAssertionsSigned", "true");

            // Element order follows the metadata schema: KeyDescriptor, SingleLogoutService, NameIDFormat, AssertionConsumerService.
            foreach (var certificate in signingCertificates)
            {
                w.WriteStartElement("md", "KeyDescriptor", SamlConstants.MetadataNamespace);
                w.WriteAttributeString("use", "signing");
                w.WriteStartElement("ds", "KeyInfo", SamlConstants.XmlDsigNamespace);
                w.WriteStartElement("ds", "X509Data", SamlConstants.XmlDsigNamespace);
                w.WriteElementString("ds", "X509Certificate", SamlConstants.XmlDsigNamespace, Convert.ToBase64String(certificate));
                w.WriteEndElement();
                w.WriteEndElement();
                w.WriteEndElement();
            }

            WriteEncryptionKeys(w, encryptionCertificates ?? []);
            // After the KeyDescriptors, before NameIDFormat (schema order): where IdPs send logout requests and responses.
            foreach (var binding in new[] { SamlConstants.HttpRedirectBinding, SamlConstants.HttpPostBinding })
            {
                w.WriteStartElement("md", "SingleLogoutService", SamlConstants.MetadataNamespace);
                w.WriteAttributeString("Binding", binding);
                w.WriteAttributeString("Location", sp.SloUrl);
                w.WriteEndElement();
            }

            foreach (var format in new[] { SamlConstants.NameIdFormatEmail, SamlConstants.NameIdFormatPersistent, SamlConstants.NameIdFormatUnspecified })
            {
                w.WriteElementString("md", "NameIDFormat", SamlConstants.MetadataNamespace, format);
            }

            w.WriteStartElement("md", "AssertionConsumerService", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("Binding", SamlConstants.HttpPostBinding);
            w.WriteAttributeString("Location", sp.AcsUrl);
            w.WriteAttributeString("index", "0");
            w.WriteAttributeString("isDefault", "true");
            w.WriteEndElement();

            w.WriteEndElement();
            w.WriteEndElement();
        }

        return sb.ToString();
    }

    /// <summary>
    /// One KeyDescriptor per encryption certificate, each listing the accepted algorithms in order of preference
    /// (an IdP that reads them, e.g. Shibboleth or crewjam/saml, picks the first it supports: AES-GCM first, since GCM is
    /// authenticated; CBC for ADFS). RSA 1.5 is never listed: it is refused.
    /// </summary>
    private static void WriteEncryptionKeys(XmlWriter w, IReadOnlyList<byte[]> certificates)
    {
        foreach (var certificate in certificates)
        {
            w.WriteStartElement("md", "KeyDescriptor", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("use", "encryption");
            w.WriteStartElement("ds", "KeyInfo", SamlConstants.XmlDsigNamespace);
            w.WriteStartElement("ds", "X509Data", SamlConstants.XmlDsigNamespace);
            w.WriteElementString("ds", "X509Certificate", SamlConstants.XmlDsigNamespace, Convert.ToBase64String(certificate));
            w.WriteEndElement();
            w.WriteEndElement();
            foreach (var algorithm in AssertionDecryptor.AcceptedAlgorithms)
            {
                w.WriteStartElement("md", "EncryptionMethod", SamlConstants.MetadataNamespace);
                w.WriteAttributeString("Algorithm", algorithm);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
    }
}
