using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.Passwords;
using Fido2NetLib;

namespace AccessPlatform.Login.Sessions;

public enum ReauthenticationResult { Passed, WrongPassword, Locked }

/// <summary>
/// The signed-in user confirms the password (<c>POST /api/auth/reauthenticate</c> and <c>/account/reauthenticate</c>).
/// A guess is claimed against the user's lockout before the hash, exactly like a login, so a stolen session cannot
/// be used to guess the password; every attempt is audited. A passkey of the user's own (user verification required)
/// does as well as the password.
/// </summary>
public sealed class Reauthenticator(UserStore users, PasswordCheck check, RecentAuthentication recent, AuditLog audit, PasskeyService passkeys)
{
    /// <summary>The answer to the options of <see cref="PasskeyService.BeginReauthenticationAsync"/> for this session.</summary>
    public async Task<ReauthenticationResult> ReauthenticateWithPasskeyAsync(HttpContext http, AuthenticatorAssertionRawResponse response)
    {
        var userId = http.User.UserIdOf();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var user = await users.FindByIdAsync(userId);
        if (user is not { IsActive: true })
        {
            await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user?.AccountId, userId, user is null ? "unknown-user" : "disabled", ip: ip);
            return ReauthenticationResult.Locked;
        }
        if (await passkeys.TakeReauthenticationOptionsAsync(http.User.SessionHandleOf()) is not { } options
            || await passkeys.VerifyAsync(options, response, user.Id, user.AccountId, ip) is null)
        {
            await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user.AccountId, user.Id, "passkey-refused", ip: ip);
            return ReauthenticationResult.WrongPassword;
        }
        await recent.RecordAsync(http);
        await audit.RecordAsync(AuditEvents.Reauthenticated, user.AccountId, user.Id, "passkey", ip: ip);
        return ReauthenticationResult.Passed;
    }

    /// <exception cref="HashingCapacityExceededException">No hashing slot in time: the caller answers 503.</exception>
    public async Task<ReauthenticationResult> ReauthenticateAsync(HttpContext http, string password)
    {
        var userId = http.User.UserIdOf();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var user = await users.FindByIdAsync(userId);
        if (user is not { IsActive: true })
        {
            await check.NoAccountAsync(password);
            await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user?.AccountId, userId, user is null ? "unknown-user" : "disabled", ip: ip);
            return ReauthenticationResult.Locked;
        }
        switch (await check.CheckAsync(user, password, ip))
        {
            case PasswordCheckResult.Locked:
                await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user.AccountId, user.Id, "locked", ip: ip);
                return ReauthenticationResult.Locked;
            case PasswordCheckResult.Wrong:
                await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user.AccountId, user.Id,
                    user.PasswordHash is null ? "no-password" : "bad-password", ip: ip);
                return ReauthenticationResult.WrongPassword;
        }
        await recent.RecordAsync(http);
        await audit.RecordAsync(AuditEvents.Reauthenticated, user.AccountId, user.Id, ip: ip);
        return ReauthenticationResult.Passed;
    }
}
