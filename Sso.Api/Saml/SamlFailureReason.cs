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
    /// <summary>No longer produced: encrypted assertions are decrypted (kept so stored audit codes keep their meaning).</summary>
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
    /// <summary>A plain assertion while the account requires encrypted ones (saml-encryption-required).</summary>
    EncryptionRequired,
    /// <summary>An EncryptedAssertion with an algorithm that is not accepted, e.g. RSA 1.5 (saml-encryption-algorithm-refused).</summary>
    EncryptionAlgorithmRefused,
    /// <summary>
    /// An EncryptedAssertion that does not decrypt, whatever failed from the key unwrap on: padding, tag, XML
    /// (saml-decryption-failed). One code on purpose: see <see cref="AssertionDecryptor"/>.
    /// </summary>
    DecryptionFailed,
}
