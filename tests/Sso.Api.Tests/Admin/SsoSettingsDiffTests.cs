using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Data;

namespace Sso.Api.Tests.Admin;

/// <summary>The diff an SSO settings change is audited and emailed with (issue 12).</summary>
public sealed class SsoSettingsDiffTests
{
    private static X509Certificate2 NewCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        return new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    [Fact]
    public void Entity_id_certificates_and_flags_are_listed_old_to_new()
    {
        using var old = NewCertificate("old");
        using var kept = NewCertificate("kept");
        using var added = NewCertificate("added");
        var before = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = "https://old.example/saml", IdpSsoUrl = "https://old.example/sso",
            IdpCertificates = [Convert.ToBase64String(old.RawData), Convert.ToBase64String(kept.RawData)], JitProvisioning = true,
        };
        var after = new IdpSettings("https://new.example/saml", "https://old.example/sso", [kept, added], WantAuthnRequestsSigned: false,
            EnforceSso: true, JitProvisioning: false, AllowIdpInitiated: false, LinkExistingUsersByEmail: true);

        var changes = SsoSettingsDiff.Between(before, after);

        Assert.Equal(
        [
            "IdP entity id: https://old.example/saml → https://new.example/saml",
            $"IdP certificate added: SHA-256 {added.GetCertHashString(HashAlgorithmName.SHA256)}",
            $"IdP certificate removed: SHA-256 {old.GetCertHashString(HashAlgorithmName.SHA256)}",
            "Enforce SSO: off → on",
            "Create users on first SSO sign-in: on → off",
            "Link existing users by email: off → on",
        ], changes);
    }

    [Fact]
    public void Saving_the_same_settings_again_changes_nothing()
    {
        using var certificate = NewCertificate("same");
        var before = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = "https://idp.example/saml", IdpSsoUrl = "https://idp.example/sso",
            IdpCertificates = [Convert.ToBase64String(certificate.RawData)], AllowIdpInitiated = true,
        };

        Assert.Empty(SsoSettingsDiff.Between(before, new IdpSettings("https://idp.example/saml", "https://idp.example/sso", [certificate], false,
            EnforceSso: false, JitProvisioning: false, AllowIdpInitiated: true, LinkExistingUsersByEmail: false)));
    }

    [Fact]
    public void A_first_configuration_shows_the_entity_id_coming_from_none()
    {
        using var certificate = NewCertificate("first");
        var changes = SsoSettingsDiff.Between(new SsoConnection { AccountKey = "contoso" },
            new IdpSettings("https://idp.example/saml", "https://idp.example/sso", [certificate], false, false, false, false));

        Assert.Contains("IdP entity id: (none) → https://idp.example/saml", changes);
    }

    [Fact]
    public void Requiring_encrypted_assertions_is_listed_and_saving_it_again_is_not()
    {
        using var certificate = NewCertificate("enc");
        var before = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = "https://idp.example/saml", IdpSsoUrl = "https://idp.example/sso",
            IdpCertificates = [Convert.ToBase64String(certificate.RawData)],
        };
        var after = new IdpSettings("https://idp.example/saml", "https://idp.example/sso", [certificate], false, false, false, false)
        {
            RequireEncryptedAssertions = true,
        };

        Assert.Equal(["Require encrypted assertions: off → on"], SsoSettingsDiff.Between(before, after));
        var saved = new SsoConnection
        {
            AccountKey = "contoso", IdpEntityId = "https://idp.example/saml", IdpSsoUrl = "https://idp.example/sso",
            IdpCertificates = [Convert.ToBase64String(certificate.RawData)], RequireEncryptedAssertions = true,
        };
        Assert.Empty(SsoSettingsDiff.Between(saved, after));
    }
}
