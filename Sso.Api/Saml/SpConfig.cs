using System.Security.Cryptography.X509Certificates;

namespace Sso.Api.Saml;

/// <summary>Our side of one account's SAML connection.</summary>
public sealed record SpConfig
{
    /// <param name="entityId">Absolute URL ending in '/', e.g. https://host/login/saml/contoso/.</param>
    /// <param name="signingCertificate">Certificate with private key for signing AuthnRequests, if any.</param>
    public SpConfig(string entityId, X509Certificate2? signingCertificate = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityId);
        // The ACS URL is derived from the entity id, so it must be an absolute, slash-terminated URL.
        if (!Uri.TryCreate(entityId, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !entityId.EndsWith('/'))
        {
            throw new ArgumentException("SP entity id must be an absolute http(s) URL ending with '/'.", nameof(entityId));
        }

        EntityId = entityId;
        SigningCertificate = signingCertificate;
    }

    public string EntityId { get; }

    /// <summary>Assertion Consumer Service URL (HTTP-POST): the entity id + "acs".</summary>
    public string AcsUrl => EntityId + "acs";

    /// <summary>Single Logout Service URL (HTTP-Redirect and HTTP-POST): the entity id + "slo".</summary>
    public string SloUrl => EntityId + "slo";

    public X509Certificate2? SigningCertificate { get; }

    /// <summary>
    /// The SP encryption certificates with private keys that may decrypt an EncryptedAssertion: the current one and,
    /// during a rollover, the next or previous one. Empty: encrypted assertions cannot be read.
    /// </summary>
    public IReadOnlyList<X509Certificate2> DecryptionCertificates { get; init; } = [];
}
