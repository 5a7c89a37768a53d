using System.Diagnostics.CodeAnalysis;

namespace Sso.Api.Saml;

/// <summary>
/// Outcome of validating a SAML response. On failure, <see cref="FailureMessage"/> is a fixed
/// sentence chosen by the validator: it never contains any part of the input, so it is safe to log.
/// </summary>
public sealed class SamlValidationResult
{
    private SamlValidationResult(SamlIdentity? identity, SamlFailureReason reason, string? message, string? idpStatusCode)
    {
        Identity = identity;
        Reason = reason;
        FailureMessage = message;
        IdpStatusCode = idpStatusCode;
    }

    [MemberNotNullWhen(true, nameof(Identity))]
    [MemberNotNullWhen(false, nameof(FailureMessage))]
    public bool Succeeded => Identity is not null;

    public SamlIdentity? Identity { get; }

    /// <summary><see cref="SamlFailureReason.None"/> on success.</summary>
    public SamlFailureReason Reason { get; }

    public string? FailureMessage { get; }

    /// <summary>
    /// For <see cref="SamlFailureReason.StatusNotSuccess"/>: the IdP's most specific status code,
    /// only when it is one of the standard SAML status URIs (arbitrary values are not echoed).
    /// </summary>
    public string? IdpStatusCode { get; }

    internal static SamlValidationResult Success(SamlIdentity identity) =>
        new(identity, SamlFailureReason.None, null, null);

    internal static SamlValidationResult Failure(SamlFailureReason reason, string message, string? idpStatusCode = null) =>
        new(null, reason, message, idpStatusCode);

    public override string ToString() =>
        Succeeded ? "SAML response accepted" : $"SAML response rejected ({Reason}): {FailureMessage}";
}
