using System.Xml;
using System.Xml.Schema;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

/// <summary>
/// The SP metadata an account publishes validates against the OASIS SAML 2.0 metadata schema (with the XML-DSig,
/// XML-Encryption and assertion schemas it imports; copies in Saml/Schemas, see its README), and carries the
/// encryption certificate with the accepted algorithms (issue 16).
/// </summary>
public class SpMetadataSchemaTests
{
    private const string Md = SamlConstants.MetadataNamespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static readonly X509Data Signing = new(SpCertificate.RawData);
    private static readonly X509Data SigningNext = new(AttackerCertificate.RawData);
    private static readonly X509Data Encryption = new(SigningCertificate.RawData);

    private sealed record X509Data(byte[] Der);

    private static readonly Lazy<XmlSchemaSet> Schemas = new(() =>
    {
        // No resolver: the imports' http schemaLocations are never fetched; every imported namespace is added here.
        var set = new XmlSchemaSet { XmlResolver = null };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        foreach (var file in new[] { "xml.xsd", "xmldsig-core-schema.xsd", "xenc-schema.xsd", "saml-schema-assertion-2.0.xsd", "saml-schema-metadata-2.0.xsd" })
        {
            using var reader = XmlReader.Create(Path.Combine(AppContext.BaseDirectory, "Saml", "Schemas", file), settings);
            set.Add(null, reader);
        }
        set.Compile();
        return set;
    });

    private static List<string> SchemaErrors(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            ValidationType = ValidationType.Schema,
            Schemas = Schemas.Value,
            ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings,
        };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
        }
        return errors;
    }

    [Fact]
    public void Sp_metadata_with_signing_and_encryption_certificates_validates_against_the_metadata_schema()
    {
        var xml = SpMetadataBuilder.Build(new SpConfig(SpEntityId), [Signing.Der], [Encryption.Der]);

        Assert.Empty(SchemaErrors(xml));
    }

    [Fact]
    public void Sp_metadata_during_both_rollovers_validates_against_the_metadata_schema()
    {
        var xml = SpMetadataBuilder.Build(new SpConfig(SpEntityId), [Signing.Der, SigningNext.Der], [Encryption.Der, Signing.Der]);

        Assert.Empty(SchemaErrors(xml));
    }

    [Fact]
    public void Sp_metadata_without_certificates_validates_against_the_metadata_schema()
    {
        Assert.Empty(SchemaErrors(SpMetadataBuilder.Build(SpConfig())));
    }

    [Fact]
    public void The_schema_check_catches_an_invalid_metadata_document()
    {
        // The test is only worth something if the schema set really validates: a KeyDescriptor after the ACS is invalid.
        var xml = SpMetadataBuilder.Build(new SpConfig(SpEntityId), [Signing.Der], [Encryption.Der]);
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(xml);
        var descriptor = doc.DocumentElement!["SPSSODescriptor", Md]!;
        descriptor.AppendChild(descriptor["KeyDescriptor", Md]!.CloneNode(deep: true));

        Assert.NotEmpty(SchemaErrors(doc.OuterXml));
    }

    [Fact]
    public void Sp_metadata_publishes_the_encryption_certificates_with_the_accepted_algorithms()
    {
        var xml = SpMetadataBuilder.Build(new SpConfig(SpEntityId), [Signing.Der], [Encryption.Der, SigningNext.Der]);
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(xml);

        var keys = doc.GetElementsByTagName("KeyDescriptor", Md).Cast<XmlElement>().ToList();
        Assert.Equal(["signing", "encryption", "encryption"], keys.Select(k => k.GetAttribute("use")));
        var encryption = keys.Where(k => k.GetAttribute("use") == "encryption").ToList();
        Assert.Equal([Convert.ToBase64String(Encryption.Der), Convert.ToBase64String(SigningNext.Der)],
            encryption.Select(k => k["KeyInfo", Ds]!["X509Data", Ds]!["X509Certificate", Ds]!.InnerText));
        foreach (var key in encryption)
        {
            var algorithms = key.GetElementsByTagName("EncryptionMethod", Md).Cast<XmlElement>().Select(e => e.GetAttribute("Algorithm")).ToList();
            Assert.Equal(
                [AssertionDecryptor.Aes256Gcm, AssertionDecryptor.Aes128Gcm, AssertionDecryptor.Aes256Cbc, AssertionDecryptor.Aes128Cbc,
                    AssertionDecryptor.RsaOaep, AssertionDecryptor.RsaOaepMgf1p],
                algorithms);
            Assert.DoesNotContain(AssertionDecryptor.Rsa15, algorithms);
        }
    }
}
