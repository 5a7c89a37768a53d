using System.Text.Json.Serialization;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.SecondFactor;

namespace AccessPlatform.Login.Flow;

/// <summary>How a login started: with a password, with an identity the account's IdP asserted, with one that must be linked first, or with a passkey.</summary>
public enum LoginEntry
{
    Password,
    Sso,

    /// <summary>An IdP asserted the email of a user with a password: the user confirms password and second factor before the link is stored.</summary>
    SsoLink,

    Passkey,
}

/// <summary>
/// Everything a login knows between its steps. Stored (JSON, Redis) under the flow id only while a step waits for the
/// user; the <see cref="JsonIgnoreAttribute">ignored</see> members live for one request and are never stored.
/// </summary>
public sealed class LoginState
{
    public required string FlowId { get; init; }
    public required LoginEntry Entry { get; init; }
    public required string DeviceLabel { get; init; }
    public string? Ip { get; init; }
    public required string Language { get; set; }
    public required DateTime CreatedAt { get; init; }

    /// <summary>Index of the step the flow waits at.</summary>
    public int Step { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The user's security stamp when the flow passed the password: a reset or change since voids the flow.</summary>
    public Guid SecurityStamp { get; set; }

    /// <summary>SHA-256 of the binding cookie of the browser or client that started the flow.</summary>
    public string? BindingHash { get; set; }

    /// <summary>The device check found this browser trusted for the user, or the entry needs no second factor.</summary>
    public bool SecondFactorSatisfied { get; set; }

    /// <summary>An SSO login's SessionNotOnOrAfter from the IdP: the session ends then at the latest.</summary>
    public DateTime? SessionNotAfter { get; set; }

    /// <summary>An SSO login's IdP identity (NameID, SessionIndex), kept with the session for single logout.</summary>
    public Sessions.SsoSessionOrigin? SsoOrigin { get; set; }

    /// <summary>The channel of the second factor passed in this flow, if one was.</summary>
    public string? PassedSecondFactor { get; set; }

    /// <summary>The pending second factor: the chosen channel and, for sent codes, the code's HMAC.</summary>
    public CodeChallenge? Code { get; set; }

    /// <summary>For <see cref="LoginEntry.SsoLink"/>: the IdP identity the link page links once password and second factor passed.</summary>
    public Sso.SsoIdentity? PendingLink { get; set; }

    /// <summary>The pending passkey second factor: the request options sent to the browser (single use).</summary>
    public PasskeyChallenge? Passkey { get; set; }

    [JsonIgnore] public User? User { get; set; }

    /// <summary>The passkey assertion of a passwordless sign-in and the options it answers; never stored.</summary>
    [JsonIgnore] public (Fido2NetLib.AssertionOptions Options, Fido2NetLib.AuthenticatorAssertionRawResponse Response)? PasskeyAssertion { get; init; }

    /// <summary>Username and password of the first request; never stored.</summary>
    [JsonIgnore] public (string Username, string Password)? Credentials { get; init; }

    [JsonIgnore] public string? ChosenLanguage { get; init; }

    [JsonIgnore] public LoginOutcome.SignedIn? SignedIn { get; set; }

    [JsonIgnore] public User RequiredUser => User ?? throw new InvalidOperationException("No user yet: the password step comes first.");
}

/// <summary>Assertion options of a pending passkey second factor, as sent to the browser, and when.</summary>
public sealed record PasskeyChallenge(string OptionsJson, DateTime IssuedAt);
