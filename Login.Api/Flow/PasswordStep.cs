using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passwords;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Flow;

/// <summary>The result of checking a username and password.</summary>
public abstract record PasswordResult
{
    /// <param name="Reason">For the audit log and metrics only; the client never sees it.</param>
    /// <param name="LockedUntil">Set when this very failure locked the account.</param>
    public sealed record Failed(string Reason, User? User, DateTime? LockedUntil = null) : PasswordResult;

    public sealed record Verified(User User) : PasswordResult;
}

/// <summary>
/// Step 1: username and password. Unknown, locked and disabled users cost one hash like everyone else, so neither
/// the answer nor its timing tells whether an account exists. A guess is claimed atomically before it is checked.
/// </summary>
public sealed class PasswordStep(UserStore users, PasswordHasher hasher, IOptions<LockoutOptions> lockout, TimeProvider clock)
{
    public async Task<PasswordResult> RunAsync(string username, string password)
    {
        var user = await users.FindByUsernameAsync(username);
        if (user is null)
        {
            await hasher.VerifyDummyAsync(password);
            return new PasswordResult.Failed("unknown-user", null);
        }
        if (!user.IsActive)
        {
            await hasher.VerifyDummyAsync(password);
            return new PasswordResult.Failed("disabled", user);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var claim = await users.ClaimAttemptAsync(user.Id, now, lockout.Value.Threshold, lockout.Value.Duration);
        if (claim is null)
        {
            await hasher.VerifyDummyAsync(password);
            return new PasswordResult.Failed("locked", user);
        }
        var verification = await hasher.VerifyAsync(user.PasswordHash, password);
        if (verification == PasswordVerification.Failed)
        {
            return new PasswordResult.Failed(user.PasswordHash is null ? "no-password" : "bad-password", user,
                claim.LocksOnFailure ? now + lockout.Value.Duration : null);
        }
        await users.ResetFailuresAsync(user.Id, now);
        if (verification == PasswordVerification.SuccessRehashNeeded)
        {
            await users.UpdatePasswordHashAsync(user.Id, user.PasswordHash!, await hasher.HashAsync(password));
        }
        return new PasswordResult.Verified(user);
    }
}
