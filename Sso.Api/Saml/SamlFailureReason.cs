namespace Sso.Api.Saml;

/// <summary>Machine-readable reason a SAML response was refused.</summary>
public enum SamlFailureReason
{
    None = 0,
    Malformed,
    TooLarge,
    DtdProhibited,
    StatusNotSuccess,
    AssertionCount,
    EncryptedAssertionUnsupported,
    NotSigned,
    SignatureInvalid,
    UntrustedCertificate,
    WeakAlgorithm,
    ReferenceMismatch,
    DuplicateId,
    BadTransform,
    IssuerMismatch,
    AudienceMismatch,
    DestinationMismatch,
    RecipientMismatch,
    Expired,
    NotYetValid,
    /// <summary>IssueInstant older than the allowed age (audit code saml-stale).</summary>
    Stale,
    InResponseToMismatch,
    Replay,
    MissingSubject,
}
