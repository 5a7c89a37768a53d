using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.AccountChanges;

public abstract record PasswordChangeResult
{
    /// <param name="EndedSessions">How many other sessions were signed out.</param>
    public sealed record Changed(int EndedSessions) : PasswordChangeResult;

    public sealed record WrongPassword : PasswordChangeResult;

    public sealed record Locked : PasswordChangeResult;

    public sealed record Rejected(PasswordProblem Problem) : PasswordChangeResult;

    /// <summary>Another password change or reset won the race; nothing was changed by this one.</summary>
    public sealed record Conflict : PasswordChangeResult;
}

/// <summary>
/// The signed-in user changes their password (ASVS 6.2.3, 7.4.3): the current password is one guess like a login
/// (<see cref="PasswordCheck"/>: claimed against the lockout, counted when wrong), the new one follows the reset's
/// policy; the security stamp rotates (open reset links and pending email or phone changes die), the other sessions
/// end when the user asks (default), the current one stays signed in, and the user is emailed.
/// </summary>
public sealed class PasswordChanges(UserStore users, PasswordCheck check, PasswordHasher hasher, PasswordPolicy policy, SessionStore sessions,
    AccountChangeNotifier notifier, AuditLog audit, TimeProvider clock)
{
    /// <exception cref="HashingCapacityExceededException">No hashing slot in time: the caller answers 503.</exception>
    public async Task<PasswordChangeResult> ChangeAsync(HttpContext http, string currentPassword, string newPassword, bool endOtherSessions)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString();
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { IsActive: true } user)
        {
            await check.NoAccountAsync(currentPassword);
            return new PasswordChangeResult.Locked();
        }
        // Rules first: they cost no hash and tell nothing about the current password.
        if (policy.Check(newPassword) is var problem and not PasswordProblem.None)
        {
            return new PasswordChangeResult.Rejected(problem);
        }
        switch (await check.CheckAsync(user, currentPassword, ip))
        {
            case PasswordCheckResult.Locked:
                await audit.RecordAsync(AccountChangeAuditEvents.PasswordChangeFailed, user.AccountId, user.Id, "locked", ip: ip);
                return new PasswordChangeResult.Locked();
            case PasswordCheckResult.Wrong:
                await audit.RecordAsync(AccountChangeAuditEvents.PasswordChangeFailed, user.AccountId, user.Id,
                    user.PasswordHash is null ? "no-password" : "bad-password", ip: ip);
                return new PasswordChangeResult.WrongPassword();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (!await users.SetPasswordAsync(user.Id, user.SecurityStamp, await hasher.HashAsync(newPassword), now)
            || await users.FindByIdAsync(user.Id) is not { } changed)
        {
            return new PasswordChangeResult.Conflict();
        }
        var current = (http.Items[typeof(Session)] as Session)?.Handle;
        var ended = endOtherSessions ? await sessions.EndAllAsync(user.Id, exceptHandle: current) : 0;
        // The new stamp would end every session; the ones the user keeps carry it from now on.
        await sessions.KeepAsync(user.Id, user.SecurityStamp, changed.SecurityStamp, endOtherSessions ? current : null);
        if (ended > 0)
        {
            await audit.RecordAsync(AuditEvents.SessionRevoked, user.AccountId, user.Id, "password-change", user.Id, ip);
        }
        await audit.RecordAsync(AccountChangeAuditEvents.PasswordChanged, user.AccountId, user.Id,
            endOtherSessions ? "ended-other-sessions" : "kept-sessions", user.Id, ip);
        await notifier.EmailAsync(user, user.Email, "Email_PasswordChanged", user.Username, notifier.Now, notifier.SecureLink);
        return new PasswordChangeResult.Changed(ended);
    }
}
