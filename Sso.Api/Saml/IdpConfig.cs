using System.Security.Cryptography.X509Certificates;

namespace Sso.Api.Saml;

/// <summary>Per-account configuration of the trusted identity provider.</summary>
public sealed record IdpConfig
{
    /// <summary>The IdP entity id; assertions must carry exactly this Issuer.</summary>
    public required string EntityId { get; init; }

    /// <summary>The IdP's SingleSignOnService location for the HTTP-Redirect binding.</summary>
    public required string SingleSignOnUrl { get; init; }

    /// <summary>
    /// Certificates whose public keys may sign responses. Trust is pinned to these:
    /// a certificate carried in the message's KeyInfo is never used to verify.
    /// More than one allows a rollover window.
    /// </summary>
    public required IReadOnlyList<X509Certificate2> SigningCertificates { get; init; }

    /// <summary>The IdP insists on signed AuthnRequests (from its metadata).</summary>
    public bool WantAuthnRequestsSigned { get; init; }

    /// <summary>Accept unsolicited responses. Off by default: they are open to login CSRF.</summary>
    public bool AllowIdpInitiated { get; init; }

    /// <summary>Refuse plain assertions: only an EncryptedAssertion is accepted. Off by default.</summary>
    public bool RequireEncryptedAssertions { get; init; }

    /// <summary>Accept rsa-sha1 / sha1 signatures for legacy IdPs. Off by default.</summary>
    public bool AllowSha1 { get; init; }

    /// <summary>The IdP's SingleLogoutService Location (HTTP-Redirect binding); null: no single logout.</summary>
    public string? SingleLogoutUrl { get; init; }

    /// <summary>Its ResponseLocation, where LogoutResponses go when it differs from <see cref="SingleLogoutUrl"/>.</summary>
    public string? SingleLogoutResponseUrl { get; init; }

    /// <summary>The NameIDPolicy Format sent in AuthnRequests.</summary>
    public string NameIdFormat { get; init; } = SamlConstants.NameIdFormatUnspecified;
}
