using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

public class MetadataTests
{
    private const string Md = SamlConstants.MetadataNamespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static XmlElement Parse(string xml)
    {
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(xml);
        return doc.DocumentElement!;
    }

    [Fact]
    public void Sp_metadata_contains_the_entity_id_acs_and_signing_certificate()
    {
        var xml = SpMetadataBuilder.Build(new SpConfig(SpEntityId, SpCertificate));

        var entity = Parse(xml);
        Assert.Equal("EntityDescriptor", entity.LocalName);
        Assert.Equal(Md, entity.NamespaceURI);
        Assert.Equal(SpEntityId, entity.GetAttribute("entityID"));

        var sp = entity["SPSSODescriptor", Md]!;
        Assert.Equal(SamlConstants.ProtocolNamespace, sp.GetAttribute("protocolSupportEnumeration"));
        Assert.Equal("true", sp.GetAttribute("AuthnRequestsSigned"));
        Assert.Equal("true", sp.GetAttribute("WantAssertionsSigned"));

        var key = sp["KeyDescriptor", Md]!;
        Assert.Equal("signing", key.GetAttribute("use"));
        Assert.Equal(Convert.ToBase64String(SpCertificate.RawData), key["KeyInfo", Ds]!["X509Data", Ds]!["X509Certificate", Ds]!.InnerText);

        Assert.Equal(
            [SamlConstants.NameIdFormatEmail, SamlConstants.NameIdFormatPersistent, SamlConstants.NameIdFormatUnspecified],
            sp.GetElementsByTagName("NameIDFormat", Md).Cast<XmlElement>().Select(e => e.InnerText));

        var acs = sp["AssertionConsumerService", Md]!;
        Assert.Equal(SamlConstants.HttpPostBinding, acs.GetAttribute("Binding"));
        Assert.Equal(AcsUrl, acs.GetAttribute("Location"));
        Assert.Equal("0", acs.GetAttribute("index"));

        Assert.DoesNotContain("PRIVATE", xml);
    }

    [Fact]
    public void Sp_metadata_lists_the_single_logout_service_for_redirect_and_post()
    {
        var sp = Parse(SpMetadataBuilder.Build(new SpConfig(SpEntityId, SpCertificate)))["SPSSODescriptor", Md]!;

        var slo = sp.GetElementsByTagName("SingleLogoutService", Md).Cast<XmlElement>().ToList();
        Assert.Equal([SamlConstants.HttpRedirectBinding, SamlConstants.HttpPostBinding], slo.Select(e => e.GetAttribute("Binding")));
        Assert.All(slo, e => Assert.Equal(SpEntityId + "slo", e.GetAttribute("Location")));
        // Schema order: after the KeyDescriptors, before NameIDFormat.
        var names = sp.ChildNodes.OfType<XmlElement>().Select(e => e.LocalName).ToList();
        Assert.True(names.LastIndexOf("KeyDescriptor") < names.IndexOf("SingleLogoutService"));
        Assert.True(names.LastIndexOf("SingleLogoutService") < names.IndexOf("NameIDFormat"));
    }

    [Fact]
    public void The_idps_redirect_single_logout_service_is_read_from_its_metadata()
    {
        var metadata = IdpMetadataReader.Read(SampleIdpMetadata().Replace(
            "Location=\"https://idp.example.test/saml/slo\"/>", "Location=\"https://idp.example.test/saml/slo\" ResponseLocation=\"https://idp.example.test/saml/slo/done\"/>"));

        Assert.Equal("https://idp.example.test/saml/slo", metadata.SingleLogoutUrl);
        Assert.Equal("https://idp.example.test/saml/slo/done", metadata.ToIdpConfig().SingleLogoutResponseUrl);
        Assert.Null(IdpMetadataReader.Read(SampleIdpMetadata().Replace("HTTP-Redirect\" Location=\"https://idp.example.test/saml/slo", "SOAP\" Location=\"https://idp.example.test/saml/slo")).SingleLogoutUrl);
    }

    [Fact]
    public void Sp_metadata_without_a_certificate_declares_unsigned_requests()
    {
        var sp = Parse(SpMetadataBuilder.Build(SpConfig()))["SPSSODescriptor", Md]!;

        Assert.Equal("false", sp.GetAttribute("AuthnRequestsSigned"));
        Assert.Null(sp["KeyDescriptor", Md]);
    }

    private static string SampleIdpMetadata(string entityId = IdpEntityId) =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entityId}" validUntil="2040-01-01T00:00:00Z">
          <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor use="signing">
              <ds:KeyInfo>
                <ds:X509Data>
                  <ds:X509Certificate>
                    {Convert.ToBase64String(SigningCertificate.RawData, Base64FormattingOptions.InsertLineBreaks)}
                  </ds:X509Certificate>
                </ds:X509Data>
              </ds:KeyInfo>
            </md:KeyDescriptor>
            <md:KeyDescriptor use="encryption">
              <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{Convert.ToBase64String(AttackerCertificate.RawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
            </md:KeyDescriptor>
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/saml/slo"/>
            <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/saml/sso/post"/>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{IdpSsoUrl}"/>
          </md:IDPSSODescriptor>
        </md:EntityDescriptor>
        """;

    [Fact]
    public void Idp_metadata_is_read_into_entity_id_redirect_url_and_signing_certificates()
    {
        var metadata = IdpMetadataReader.Read(SampleIdpMetadata());

        Assert.Equal(IdpEntityId, metadata.EntityId);
        Assert.Equal(IdpSsoUrl, metadata.SingleSignOnUrl);
        Assert.True(metadata.WantAuthnRequestsSigned);
        var cert = Assert.Single(metadata.SigningCertificates);
        Assert.Equal(SigningCertificate.Thumbprint, cert.Thumbprint);
        Assert.False(cert.HasPrivateKey);

        var config = metadata.ToIdpConfig();
        Assert.False(config.AllowIdpInitiated);
        Assert.False(config.AllowSha1);
    }

    [Fact]
    public void A_config_built_from_idp_metadata_validates_that_idps_responses()
    {
        var idp = IdpMetadataReader.Read(SampleIdpMetadata()).ToIdpConfig();

        var result = TestIdp.Validate(SignedAssertionResponse(), Context(idp: idp));

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void The_requested_idp_is_picked_from_an_aggregate()
    {
        static string Inner(string id) => SampleIdpMetadata(id)[SampleIdpMetadata(id).IndexOf("<md:EntityDescriptor", StringComparison.Ordinal)..];
        var aggregate =
            "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">"
            + Inner("https://one.example.test/") + Inner(IdpEntityId)
            + "</md:EntitiesDescriptor>";

        Assert.Equal(IdpEntityId, IdpMetadataReader.Read(aggregate, IdpEntityId).EntityId);
        Assert.Throws<SamlMetadataException>(() => IdpMetadataReader.Read(aggregate));
    }

    [Fact]
    public void Idp_metadata_with_a_doctype_is_refused()
    {
        var xml = SampleIdpMetadata().Replace(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version=\"1.0\"?><!DOCTYPE md [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>");

        var error = Assert.Throws<SamlMetadataException>(() => IdpMetadataReader.Read(xml));
        Assert.Contains("DTD", error.Message);
    }

    [Fact]
    public void Idp_metadata_without_a_redirect_binding_is_refused()
    {
        var xml = SampleIdpMetadata().Replace($"Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{IdpSsoUrl}\"", "Binding=\"urn:example:other\" Location=\"https://x.example.test/\"");

        Assert.Throws<SamlMetadataException>(() => IdpMetadataReader.Read(xml));
    }

    [Fact]
    public void Sp_metadata_is_not_mistaken_for_idp_metadata()
    {
        Assert.Throws<SamlMetadataException>(() => IdpMetadataReader.Read(SpMetadataBuilder.Build(SpConfig())));
    }
}
