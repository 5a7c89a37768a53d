using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;

namespace AccessPlatform.Login.Sessions;

public enum ReauthenticationResult { Passed, WrongPassword, Locked }

/// <summary>
/// The signed-in user confirms the password (<c>POST /api/auth/reauthenticate</c> and <c>/account/reauthenticate</c>).
/// A guess is claimed against the user's lockout before the hash, exactly like a login, so a stolen session cannot
/// be used to guess the password; every attempt is audited.
/// </summary>
public sealed class Reauthenticator(UserStore users, PasswordHasher hasher, LockoutPolicy lockout, RecentAuthentication recent, AuditLog audit)
{
    /// <exception cref="HashingCapacityExceededException">No hashing slot in time: the caller answers 503.</exception>
    public async Task<ReauthenticationResult> ReauthenticateAsync(HttpContext http, string password)
    {
        var userId = http.User.UserIdOf();
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var user = await users.FindByIdAsync(userId);
        var claim = user is { IsActive: true } ? await lockout.ClaimAsync(user, GuessedFactor.Password) : null;
        if (user is null || claim is null)
        {
            await hasher.VerifyDummyAsync(password);
            await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user?.AccountId, userId, user is null ? "unknown-user" : "locked", ip: ip);
            return ReauthenticationResult.Locked;
        }
        var verification = await hasher.VerifyAsync(user.PasswordHash, password);
        if (verification == PasswordVerification.Failed)
        {
            await audit.RecordAsync(AuditEvents.ReauthenticationFailed, user.AccountId, user.Id, user.PasswordHash is null ? "no-password" : "bad-password", ip: ip);
            await lockout.FailedAsync(user, claim, ip);
            return ReauthenticationResult.WrongPassword;
        }
        await lockout.SucceededAsync(user, claim);
        if (verification == PasswordVerification.SuccessRehashNeeded)
        {
            await users.UpdatePasswordHashAsync(user.Id, user.PasswordHash!, await hasher.HashAsync(password));
        }
        await recent.RecordAsync(http);
        await audit.RecordAsync(AuditEvents.Reauthenticated, user.AccountId, user.Id, ip: ip);
        return ReauthenticationResult.Passed;
    }
}
