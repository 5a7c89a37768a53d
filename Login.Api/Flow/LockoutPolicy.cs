using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.Telemetry;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Flow;

/// <summary>The two things a login can guess: the password, and the second factor. Each has a counter of its own.</summary>
public enum GuessedFactor { Password, SecondFactor }

/// <summary>A guess allowed to be checked; <see cref="Provisional"/> is what the second-factor claim already counted.</summary>
public sealed record GuessClaim(GuessedFactor Factor, FailureRecord? Provisional = null);

/// <summary>
/// Lockout for password and second-factor guesses alike (ASVS 6.3.1, NIST 800-63B 5.2.2): each guess is claimed
/// atomically in Postgres before it is checked, so parallel guesses cannot exceed the threshold. Lock periods in a row
/// double from <see cref="LockoutOptions.DurationMinutes"/> up to <see cref="LockoutOptions.MaxDurationHours"/>; after
/// <see cref="LockoutOptions.PermanentAfterFailures"/> consecutive failures only a reset or an unlock opens the account.
/// The second-factor counter survives right passwords and resets: only a passed second factor or an Account Manager's
/// unlock clears it, so codes cannot be guessed across logins.
/// </summary>
public sealed class LockoutPolicy(LockoutStore store, UserNotifier notifier, AuditLog audit, LoginMetrics metrics, IOptions<LockoutOptions> options, TimeProvider clock)
{
    private LockoutOptions Settings => options.Value;

    private LockoutRule Rule(GuessedFactor factor) => new(factor == GuessedFactor.Password ? Settings.Threshold : Settings.SecondFactorThreshold,
        Settings.Duration, TimeSpan.FromHours(Settings.MaxDurationHours), Settings.PermanentAfterFailures);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Null when the account is locked (or, for passwords, no slot freed up within the wait): no guess allowed.</summary>
    public async Task<GuessClaim?> ClaimAsync(User user, GuessedFactor factor)
    {
        if (factor == GuessedFactor.SecondFactor)
        {
            return await store.ClaimSecondFactorAsync(user.Id, Now, Rule(factor)) is { } provisional ? new GuessClaim(factor, provisional) : null;
        }
        return await WaitForSlotAsync(user.Id, await store.ClaimPasswordAsync(user.Id, Now, Rule(factor)));
    }

    /// <summary>
    /// A login's password guess: the user found by username and the guess claimed in one round trip. Null claim when
    /// the user is unknown, not active (nothing claimed) or locked (or no slot freed up within the wait).
    /// </summary>
    public async Task<(User? User, GuessClaim? Claim)> FindAndClaimPasswordAsync(string username)
    {
        var (user, status) = await store.FindAndClaimPasswordAsync(username, Now, Rule(GuessedFactor.Password));
        return user is null || status is not { } claim ? (user, null) : (user, await WaitForSlotAsync(user.Id, claim));
    }

    /// <summary>Every slot held by guesses in flight: wait briefly for one (a right password frees its slot at once).</summary>
    private async Task<GuessClaim?> WaitForSlotAsync(Guid userId, ClaimStatus first)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(Settings.ClaimWaitMs);
        var retry = TimeSpan.FromMilliseconds(10);
        var status = first;
        while (true)
        {
            switch (status)
            {
                case ClaimStatus.Claimed:
                    return new GuessClaim(GuessedFactor.Password);
                case ClaimStatus.Busy when DateTime.UtcNow < deadline:
                    await Task.Delay(retry);
                    retry = TimeSpan.FromMilliseconds(Math.Min(retry.TotalMilliseconds * 2, 100));
                    status = await store.ClaimPasswordAsync(userId, Now, Rule(GuessedFactor.Password));
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// An unknown, disabled or locked user's failed login runs the same statements as a known user's (claim, then record the failure)
    /// against an id that matches no row, so neither the round trips nor their timing tell whether the account exists.
    /// </summary>
    /// <param name="claimed">False for a locked account, whose claim already ran: only the failure statement is left.</param>
    public async Task FailedWithoutAccountAsync(bool claimed = false)
    {
        if (!claimed)
        {
            await store.ClaimPasswordAsync(Guid.Empty, Now, Rule(GuessedFactor.Password));
        }
        await store.RecordPasswordFailureAsync(Guid.Empty, Now, Rule(GuessedFactor.Password));
    }

    public Task SucceededAsync(User user, GuessClaim claim) => claim.Factor == GuessedFactor.Password
        ? store.RecordPasswordSuccessAsync(user.Id, Now)
        : store.RecordSecondFactorSuccessAsync(user.Id, Now);

    /// <summary>A wrong guess. When it locked the account the audit records it, and the first lock of a series emails the user. True when locked.</summary>
    public async Task<bool> FailedAsync(User user, GuessClaim claim, string? ip)
    {
        var record = claim.Provisional ?? await store.RecordPasswordFailureAsync(user.Id, Now, Rule(claim.Factor));
        if (!record.LockedNow)
        {
            return false;
        }
        metrics.Lockout();
        var lockedUntil = record.LockedUntil ?? Now;
        var password = claim.Factor == GuessedFactor.Password;
        await audit.RecordAsync(password ? AuditEvents.LockedOut : AuditEvents.SecondFactorLockout, user.AccountId, user.Id,
            lockedUntil == LockoutStore.Forever ? "until-reset" : null, ip: ip);
        if (record.FirstLock)
        {
            await (password ? notifier.SendLockoutAsync(user, lockedUntil) : notifier.SendSecondFactorLockoutAsync(user, lockedUntil));
        }
        return true;
    }
}
