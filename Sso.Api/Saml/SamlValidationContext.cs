namespace Sso.Api.Saml;

/// <summary>Everything the validator needs besides the response itself.</summary>
public sealed class SamlValidationContext
{
    public required IdpConfig Idp { get; init; }

    public required SpConfig Sp { get; init; }

    /// <summary>
    /// ID of the AuthnRequest this login started with (from the user's session).
    /// Null means no request is outstanding: only acceptable when the IdP allows IdP-initiated login.
    /// </summary>
    public string? ExpectedInResponseTo { get; init; }

    /// <summary>
    /// Records an assertion ID until <c>expiresAt</c>; returns false when it was already recorded.
    /// Must be atomic (e.g. a cache add-if-absent) for replay protection to hold across concurrent requests.
    /// </summary>
    public required Func<string, DateTimeOffset, CancellationToken, Task<bool>> TryRememberAssertionId { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Cap on the decoded response size, enforced before any XML parsing.</summary>
    public int MaxResponseBytes { get; init; } = 256 * 1024;
}
