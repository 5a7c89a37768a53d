namespace Sso.Api.Saml;

/// <summary>The authenticated principal, read only from the verified assertion.</summary>
/// <param name="IdpEntityId">The assertion Issuer (equal to the configured IdP entity id).</param>
/// <param name="NameId">All text of the NameID element, trimmed.</param>
/// <param name="NameIdFormat">NameID Format attribute, if any.</param>
/// <param name="SessionIndex">AuthnStatement SessionIndex, if any (needed for single logout).</param>
/// <param name="Attributes">Attribute Name to values, in document order.</param>
/// <param name="Email">From a well-known email attribute, else the NameID when its format is emailAddress.</param>
/// <param name="NotOnOrAfter">End of the assertion's validity: the earlier of Conditions and bearer SubjectConfirmationData NotOnOrAfter.</param>
/// <param name="SessionNotOnOrAfter">AuthnStatement SessionNotOnOrAfter, if the IdP bounds the session.</param>
/// <param name="AssertionId">The assertion ID (recorded for replay detection before the identity is handed out).</param>
public sealed record SamlIdentity(
    string IdpEntityId,
    string NameId,
    string? NameIdFormat,
    string? SessionIndex,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes,
    string? Email,
    DateTimeOffset NotOnOrAfter,
    DateTimeOffset? SessionNotOnOrAfter,
    string AssertionId);
