using System.Security.Cryptography.X509Certificates;

namespace Sso.Api.Saml;

/// <summary>What the SP needs from an IdP's metadata document.</summary>
public sealed record IdpMetadata(
    string EntityId,
    string SingleSignOnUrl,
    IReadOnlyList<X509Certificate2> SigningCertificates,
    bool WantAuthnRequestsSigned,
    string? SingleLogoutUrl = null,
    string? SingleLogoutResponseUrl = null)
{
    /// <summary>A config with the secure defaults (no IdP-initiated login, no SHA-1).</summary>
    public IdpConfig ToIdpConfig() => new()
    {
        EntityId = EntityId,
        SingleSignOnUrl = SingleSignOnUrl,
        SigningCertificates = SigningCertificates,
        WantAuthnRequestsSigned = WantAuthnRequestsSigned,
        SingleLogoutUrl = SingleLogoutUrl,
        SingleLogoutResponseUrl = SingleLogoutResponseUrl,
    };
}
