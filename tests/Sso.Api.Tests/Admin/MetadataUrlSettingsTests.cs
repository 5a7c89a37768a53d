using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Data;
using AccessPlatform.Sso.Login;
using global::Sso.Api.Saml;

namespace Sso.Api.Tests.Admin;

/// <summary>Issue 16: the diff line of a metadata URL, and the result page's words for every validator reason.</summary>
public sealed class MetadataUrlSettingsTests
{
    [Fact]
    public void Switching_to_a_metadata_url_and_back_is_part_of_the_audited_diff()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=idp", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var manual = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = "https://idp.example/saml", IdpSsoUrl = "https://idp.example/sso",
            IdpCertificates = [Convert.ToBase64String(certificate.RawData)],
        };
        var byUrl = new IdpSettings("https://idp.example/saml", "https://idp.example/sso", [certificate], false, false, false, false)
        {
            MetadataUrl = "https://idp.example/FederationMetadata/2007-06/FederationMetadata.xml", MetadataXml = "<x/>",
        };

        Assert.Equal(["IdP metadata URL: (none) → https://idp.example/FederationMetadata/2007-06/FederationMetadata.xml"],
            SsoSettingsDiff.Between(manual, byUrl));
        var fetched = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = manual.IdpEntityId, IdpSsoUrl = manual.IdpSsoUrl, IdpCertificates = manual.IdpCertificates,
            MetadataUrl = byUrl.MetadataUrl,
        };
        Assert.Empty(SsoSettingsDiff.Between(fetched, byUrl));
        Assert.Equal(["IdP metadata URL: https://idp.example/FederationMetadata/2007-06/FederationMetadata.xml → (none)"],
            SsoSettingsDiff.Between(fetched, byUrl with { MetadataUrl = null }));
    }

    [Theory]
    [InlineData(SamlFailureReason.SignatureInvalid, "signature")]
    [InlineData(SamlFailureReason.UntrustedCertificate, "signature")]
    [InlineData(SamlFailureReason.NotSigned, "signature")]
    [InlineData(SamlFailureReason.WeakAlgorithm, "signature")]
    [InlineData(SamlFailureReason.Expired, "time")]
    [InlineData(SamlFailureReason.Stale, "time")]
    [InlineData(SamlFailureReason.AudienceMismatch, "address")]
    [InlineData(SamlFailureReason.InResponseToMismatch, "address")]
    [InlineData(SamlFailureReason.Replay, "replay")]
    [InlineData(SamlFailureReason.StatusNotSuccess, "status")]
    [InlineData(SamlFailureReason.Malformed, "format")]
    public void The_test_result_page_explains_each_validator_reason_in_its_group(SamlFailureReason reason, string group) =>
        Assert.Equal(group, SsoTestResultPage.Category(SamlLoginApi.ReasonCode(reason)));
}
