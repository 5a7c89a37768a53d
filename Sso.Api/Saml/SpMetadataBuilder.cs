using System.Text;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>Produces the SP's EntityDescriptor for IdP administrators to import.</summary>
public static class SpMetadataBuilder
{
    public static string Build(SpConfig sp)
    {
        ArgumentNullException.ThrowIfNull(sp);

        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true };
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, settings))
        {
            w.WriteStartElement("md", "EntityDescriptor", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("entityID", sp.EntityId);

            w.WriteStartElement("md", "SPSSODescriptor", SamlConstants.MetadataNamespace);
            w.WriteAttributeString("protocolSupportEnumeration", SamlConstants.ProtocolNamespace);
            w.WriteAttributeString("AuthnRequestsSigned", sp.SigningCertificate is null ? "false" : "true");
            w.WriteAttributeString("WantAssertionsSigned", "true");

            // Element order follows the metadata schema: KeyDescriptor, NameIDFormat, AssertionConsumerService.
            if (sp.SigningCertificate is not null)
            {
                w.WriteStartElement("md", "KeyDescriptor", SamlConstants.MetadataNamespace);
                w.WriteAttributeString("use", "signing");
                w.WriteStartElement("ds", "KeyInfo", SamlConstants.XmlDsigNamespace);
                w.WriteStartElement("ds", "X509Data", SamlConstants.XmlDsigNamespace);
                // RawData is the public certificate only; the private key never leaves the store.
                w.WriteElementString("ds", "X509Certificate", SamlConstants.XmlDsigNamespace, Convert.ToBase64String(sp.SigningCertificate.RawData));
                w.WriteEndElement();
                w.WriteEndElement();
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
}
