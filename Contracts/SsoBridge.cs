using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AccessPlatform.Contracts;

/// <summary>
/// The SSO bridge between Sso.Api (validates SAML) and Login.Api (issues sessions), named once for both sides:
/// the internal routes (behind <see cref="InternalApi.KeyHeader"/>), the cookies both services read, the browser
/// binding hash, and the input rules both apply (account keys, local return paths).
/// </summary>
public static partial class SsoBridge
{
    /// <summary>Route group in Login.Api; the gateway never routes <see cref="InternalApi.PathPrefix"/>.</summary>
    public const string RoutePrefix = InternalApi.PathPrefix + "/sso";
    public const string LoginsRoute = "/logins";
    public const string RefusalsRoute = "/refusals";
    public const string AccountRoute = "/accounts/{key}";
    public const string SsoEnforcedRoute = "/accounts/{key}/sso-enforced";
    public const string SettingsChangesRoute = "/accounts/{key}/settings-changes";
    public const string TestSignInsRoute = "/test-sign-ins";

    /// <summary>Sso.Api redeems the one-time logout ticket of an SSO session that just ended (SP-initiated single logout).</summary>
    public const string LogoutTicketRoute = "/logout-tickets/{ticket}";

    /// <summary>An IdP-initiated LogoutRequest Sso.Api validated: end every session of that identity.</summary>
    public const string LogoutsRoute = "/logouts";

    /// <summary>Single logout events Sso.Api saw (a request sent, a response received, a refused message), for the audit log.</summary>
    public const string LogoutEventsRoute = "/logout-events";

    /// <summary>Where the browser redeems the one-time code (Login.Api, public).</summary>
    public const string CompletePath = "/login/sso/complete";

    public static string LoginsPath => RoutePrefix + LoginsRoute;

    public static string LogoutsPath => RoutePrefix + LogoutsRoute;

    public static string LogoutEventsPath => RoutePrefix + LogoutEventsRoute;

    public static string LogoutTicketPath(string ticket) => $"{RoutePrefix}/logout-tickets/{Uri.EscapeDataString(ticket)}";

    /// <summary>Where Login.Api sends the browser after ending an SSO session (Sso.Api, public): it sends the LogoutRequest, if the IdP takes one.</summary>
    public static string LogoutStartPath(string accountKey, string ticket) =>
        $"/login/saml/{Uri.EscapeDataString(accountKey)}/logout?ticket={Uri.EscapeDataString(ticket)}";

    public static string RefusalsPath => RoutePrefix + RefusalsRoute;

    public static string TestSignInsPath => RoutePrefix + TestSignInsRoute;

    public static string SsoEnforcedPath(string accountKey) => $"{RoutePrefix}/accounts/{Uri.EscapeDataString(accountKey)}/sso-enforced";

    public static string SettingsChangesPath(string accountKey) => $"{RoutePrefix}/accounts/{Uri.EscapeDataString(accountKey)}/settings-changes";

    /// <summary>Login.Api's session cookie; Sso.Api forwards it to ask who is signed in.</summary>
    public static string SessionCookieName(bool development) => development ? "ap_session" : "__Host-ap_session";

    /// <summary>Sso.Api sets it (a random value) on the browser that passed SAML validation; Login.Api reads and deletes it.</summary>
    public static string BindingCookieName(bool development) => development ? "ap_sso_bind" : "__Host-ap_sso_bind";

    /// <summary>What travels to Login.Api instead of the binding cookie's value: SHA-256, base64url (43 characters).</summary>
    public static string BindingHash(string binding) =>
        System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(binding)));

    /// <summary>"/x" but not "//host" or "/\host", and no control characters.</summary>
    public static bool IsLocalPath(string? path) =>
        path is { Length: > 0 and <= 2048 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && !path.Any(char.IsControl);

    /// <summary>Account keys as Login.Api creates them (and sso-db's CHECK constraint repeats).</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    public static partial Regex AccountKey();
}

/// <summary>A SAML identity Sso.Api validated, for Login.Api to map to a user (POST <see cref="SsoBridge.LoginsPath"/>).</summary>
/// <param name="BrowserBindingHash"><see cref="SsoBridge.BindingHash"/> of the binding cookie's value.</param>
/// <param name="ReturnPath">A local path to land on after sign-in.</param>
/// <param name="SessionNotOnOrAfter">The IdP's SessionNotOnOrAfter: the platform session ends then at the latest.</param>
/// <param name="SessionIndex">The AuthnStatement's SessionIndex: kept with the session for single logout.</param>
public sealed record SsoLoginRequest(string? Account, string? IdpEntityId, string? NameId, string? Email, string? GivenName, string? FamilyName,
    bool JitProvisioning, string? ReturnPath, string? BrowserBindingHash, string? Ip, DateTimeOffset? SessionNotOnOrAfter = null,
    string? NameIdFormat = null, bool LinkExistingUsersByEmail = false, string? SessionIndex = null);

public sealed record SsoLoginIssued(string Code, Guid UserId);

/// <summary>A response refused before any user was looked at (POST <see cref="SsoBridge.RefusalsPath"/>), for the audit log.</summary>
public sealed record SsoRefusalReport(string? Account, string? Reason, string? Ip);

/// <param name="ActorId">The Account Manager who saved the settings (audited).</param>
public sealed record SsoEnforcement(bool Enforced, Guid? ActorId = null, string? Ip = null);

/// <summary>An SSO settings change Sso.Api is about to save: who, and one line per change (audited, emailed to every Account Manager).</summary>
/// <param name="MetadataRefresh">Made by the automatic refresh of the IdP's metadata URL, not by a person: <paramref name="ActorId"/> is ignored.</param>
public sealed record SsoSettingsChange(Guid ActorId, string[]? Changes, string? Ip, bool MetadataRefresh = false);

public sealed record SsoAccountView(string Key, bool SsoEnforced);

/// <summary>The SSO identity of a session that was just ended, for the LogoutRequest to its IdP (redeemed once).</summary>
public sealed record SsoLogoutTicket(string Account, Guid UserId, string IdpEntityId, string NameId, string? NameIdFormat, string? SessionIndex);

/// <summary>An IdP-initiated LogoutRequest, validated by Sso.Api: end the sessions of this identity (of these SessionIndexes, if any).</summary>
public sealed record SsoIdpLogout(string? Account, string? IdpEntityId, string? NameId, string[]? SessionIndexes, string? Ip);

public sealed record SsoIdpLogoutResult(int Ended);

/// <summary>A single logout event for the audit log: <see cref="Event"/> one of sent, completed, refused; <see cref="Reason"/> a code.</summary>
public sealed record SsoLogoutEvent(string? Account, string? Event, string? Reason, Guid? UserId, string? Ip);
/// <summary>
/// A "Test sign-in" (POST <see cref="SsoBridge.TestSignInsPath"/>): the same mapping rules as a login, without any
/// effect, audited as a test with the tester. With <paramref name="SamlFailure"/> (the response was refused before
/// any user was looked at) only the audit record is written.
/// </summary>
/// <param name="TesterId">The Account Manager who started the test (must be one of the account).</param>
public sealed record SsoTestSignInRequest(string? Account, Guid TesterId, SsoLoginRequest? Login, string? SamlFailure, string? Ip);

/// <param name="Outcome">linked, email-match, jit (a user would be created), link-required (the user would confirm with password and second factor) or refused.</param>
/// <param name="Reason">The refusal's reason code (e.g. no-matching-user) when refused.</param>
public sealed record SsoTestSignInResult(string Outcome, string? Reason, Guid? UserId, string? Username);
