using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.Telemetry;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Flow;

/// <summary>The two things a login can guess: the password, and the second factor. Each has a counter of its own.</summary>
public enum GuessedFactor { Password, SecondFactor }

/// <summary>
/// Lockout for password and second-factor guesses alike: a guess is claimed atomically before it is checked, so
/// parallel guesses cannot exceed the threshold; the claim that reaches it locks at once (a right answer lifts that
/// lock again). The second-factor counter survives right passwords and resets: only a passed second factor or an
/// Account Manager's unlock clears it, so codes cannot be guessed across logins.
/// </summary>
public sealed class LockoutPolicy(UserStore users, UserNotifier notifier, AuditLog audit, LoginMetrics metrics, IOptions<LockoutOptions> options, TimeProvider clock)
{
    private LockoutOptions Settings => options.Value;

    /// <summary>Null when the account is locked: no guess allowed.</summary>
    public Task<AttemptClaim?> ClaimAsync(User user, GuessedFactor factor)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return factor == GuessedFactor.Password
            ? users.ClaimAttemptAsync(user.Id, now, Settings.Threshold, Settings.Duration)
            : users.ClaimSecondFactorAttemptAsync(user.Id, now, Settings.SecondFactorThreshold, Settings.Duration);
    }

    public Task SucceededAsync(User user, GuessedFactor factor)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return factor == GuessedFactor.Password ? users.ResetFailuresAsync(user.Id, now) : users.ResetSecondFactorFailuresAsync(user.Id, now);
    }

    /// <summary>A wrong guess: when its claim locked the account, the user learns it by email (once per lock) and the audit records it.</summary>
    public async Task<bool> FailedAsync(User user, AttemptClaim claim, GuessedFactor factor, string? ip)
    {
        if (!claim.LocksOnFailure)
        {
            return false;
        }
        var lockedUntil = clock.GetUtcNow().UtcDateTime + Settings.Duration;
        metrics.Lockout();
        if (factor == GuessedFactor.Password)
        {
            await audit.RecordAsync(AuditEvents.LockedOut, user.AccountId, user.Id, ip: ip);
            await notifier.SendLockoutAsync(user, lockedUntil);
        }
        else
        {
            await audit.RecordAsync(AuditEvents.SecondFactorLockout, user.AccountId, user.Id, ip: ip);
            await notifier.SendSecondFactorLockoutAsync(user, lockedUntil);
        }
        return true;
    }
}
