using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;

namespace AccessPlatform.Login.Passwords;

public enum PasswordCheckResult { Right, Wrong, Locked }

/// <summary>
/// One password guess, the same for a login and a re-authentication: claimed against the user's lockout before the
/// hash, counted after it, rehashed with newer parameters when right. Where there is no account to check (unknown or
/// disabled users) the same hash and statements run, so neither answer nor timing tells.
/// </summary>
public sealed class PasswordCheck(UserStore users, PasswordHasher hasher, LockoutPolicy lockout)
{
    /// <exception cref="HashingCapacityExceededException">No hashing slot in time: the caller answers 503.</exception>
    public async Task<PasswordCheckResult> CheckAsync(User user, string password, string? ip) =>
        await VerifyClaimedAsync(user, await lockout.ClaimAsync(user, GuessedFactor.Password), password, ip);

    /// <summary>
    /// A login's guess by username: the lookup and the claim are one statement. Unknown and disabled users (null or
    /// inactive user, Wrong) get the same hash and the same second statement as everyone else.
    /// </summary>
    /// <exception cref="HashingCapacityExceededException">No hashing slot in time: the caller answers 503.</exception>
    public async Task<(User? User, PasswordCheckResult Result)> FindAndCheckAsync(string username, string password, string? ip)
    {
        var (user, claim) = await lockout.FindAndClaimPasswordAsync(username);
        if (user is null || !user.IsActive)
        {
            // The statement claimed nothing: only the failure statement is left, against no row.
            await hasher.VerifyDummyAsync(password);
            await lockout.FailedWithoutAccountAsync(claimed: true);
            return (user, PasswordCheckResult.Wrong);
        }
        return (user, await VerifyClaimedAsync(user, claim, password, ip));
    }

    private async Task<PasswordCheckResult> VerifyClaimedAsync(User user, GuessClaim? claim, string password, string? ip)
    {
        if (claim is null)
        {
            await hasher.VerifyDummyAsync(password);
            await lockout.FailedWithoutAccountAsync(claimed: true);
            return PasswordCheckResult.Locked;
        }
        var verification = await hasher.VerifyAsync(user.PasswordHash, password);
        if (verification == PasswordVerification.Failed)
        {
            await lockout.FailedAsync(user, claim, ip);
            return PasswordCheckResult.Wrong;
        }
        await lockout.SucceededAsync(user, claim);
        if (verification == PasswordVerification.SuccessRehashNeeded)
        {
            await users.UpdatePasswordHashAsync(user.Id, user.PasswordHash!, await hasher.HashAsync(password));
        }
        return PasswordCheckResult.Right;
    }

    public async Task NoAccountAsync(string password)
    {
        await hasher.VerifyDummyAsync(password);
        await lockout.FailedWithoutAccountAsync();
    }
}
