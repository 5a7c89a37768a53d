using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Data;

/// <summary>How a claim for one guess ended.</summary>
public enum ClaimStatus { Claimed, Locked, Busy }

/// <summary>What a counted failure did: whether it locked the account (and whether this is the first lock of the series).</summary>
public sealed record FailureRecord(bool LockedNow, bool FirstLock, DateTime? LockedUntil);

/// <param name="Threshold">Consecutive failures per lock period.</param>
/// <param name="Base">The first lock period; each further one in a row doubles, up to <paramref name="Max"/>.</param>
/// <param name="PermanentAfter">Consecutive failures after which only a reset or an unlock opens the account.</param>
public sealed record LockoutRule(int Threshold, TimeSpan Base, TimeSpan Max, int PermanentAfter);

/// <summary>
/// The lockout counters in <c>users</c>, each change one atomic statement (a cache restart cannot reset them).
/// A password guess holds one of the threshold's slots while its hash runs (<c>attempts_in_flight</c>): failures plus
/// guesses in flight never exceed the threshold, so parallel wrong passwords get exactly the threshold of checks,
/// and parallel right passwords wait for a slot instead of being refused as "locked".
/// </summary>
public sealed class LockoutStore(NpgsqlDataSource db)
{
    /// <summary>Locked "until reset": the far end of what timestamps hold.</summary>
    public static readonly DateTime Forever = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Slots of guesses that never finished (a crashed process) are freed when no guess came for this long.</summary>
    private static readonly TimeSpan StaleClaims = TimeSpan.FromSeconds(30);

    // The lock period of the next lock: base * 2^(locks so far in a row), at most max.
    private const string NextLock = "@now + make_interval(secs => least(@baseSeconds * power(2, least(lockouts, 20)), @maxSeconds))";

    // One guess's claim on the rows of "target" (at most one user): the lockout state read under FOR UPDATE (the latest
    // committed row, so parallel claims queue on it), a slot taken only while failures plus guesses in flight stay
    // under the threshold. Both claim statements end with it, so both decide alike.
    private const string Claim = """
        cur AS (
            SELECT id,
                   CASE WHEN locked_until <= @now THEN 0 ELSE failed_attempts END AS failed,
                   CASE WHEN last_claim_at IS NULL OR last_claim_at < @stale THEN 0 ELSE attempts_in_flight END AS in_flight,
                   locked_until > @now AS locked
            FROM users WHERE id = (SELECT id FROM target) FOR UPDATE
        ), claimed AS (
            UPDATE users u SET
                failed_attempts = cur.failed,
                locked_until = CASE WHEN u.locked_until <= @now THEN NULL ELSE u.locked_until END,
                attempts_in_flight = cur.in_flight + 1,
                last_claim_at = @now
            FROM cur
            WHERE u.id = cur.id AND cur.locked IS NOT TRUE AND cur.failed + cur.in_flight < @threshold
            RETURNING u.id
        )
        """;

    private const string ClaimStatusOf = """
        CASE WHEN EXISTS (SELECT 1 FROM claimed) THEN 'Claimed'
             WHEN (SELECT locked IS TRUE OR failed >= @threshold FROM cur) THEN 'Locked'
             ELSE 'Busy' END
        """;

    public async Task<ClaimStatus> ClaimPasswordAsync(Guid userId, DateTime now, LockoutRule rule)
    {
        await using var connection = await db.OpenConnectionAsync();
        return Enum.Parse<ClaimStatus>((await connection.ExecuteScalarAsync<string>($"""
            WITH target AS (SELECT @userId AS id), {Claim}
            SELECT {ClaimStatusOf}
            """, new { userId, now, stale = now - StaleClaims, threshold = rule.Threshold }))!);
    }

    /// <summary>
    /// A login's first round trip: the user by username and, when active, the claim of this guess, in one statement
    /// (the lookup and the claim were two). Unknown and disabled users run the same statement, which claims nothing.
    /// </summary>
    /// <returns>The user (null when unknown) and the claim (null when nothing was claimed for a disabled user).</returns>
    public async Task<(User? User, ClaimStatus? Claim)> FindAndClaimPasswordAsync(string username, DateTime now, LockoutRule rule)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<string, User, (User User, string? Claim)>($"""
            WITH found AS ({UserStore.SelectUser} WHERE lower(u.username) = lower(@username)),
                 target AS (SELECT id FROM found WHERE status = 'active'), {Claim}
            SELECT CASE WHEN found.status = 'active' THEN {ClaimStatusOf} END AS claim, found.*
            FROM found
            """, (claim, user) => (user, claim), new { username, now, stale = now - StaleClaims, threshold = rule.Threshold }, splitOn: "id");
        return rows.SingleOrDefault() is ({ } user, var claim) ? (user, claim is null ? null : Enum.Parse<ClaimStatus>(claim)) : (null, null);
    }

    /// <summary>A wrong password: its slot becomes a failure; the one that reaches the threshold locks, each lock in a row twice as long.</summary>
    public async Task<FailureRecord> RecordPasswordFailureAsync(Guid userId, DateTime now, LockoutRule rule)
    {
        await using var connection = await db.OpenConnectionAsync();
        // No row (the unknown-user path runs the same statements against an id that matches nothing): nothing locked.
        return await connection.QuerySingleOrDefaultAsync<FailureRecord>($"""
            UPDATE users SET
                attempts_in_flight = greatest(attempts_in_flight - 1, 0),
                failed_attempts = failed_attempts + 1,
                consecutive_failures = consecutive_failures + 1,
                lockouts = lockouts + CASE WHEN failed_attempts + 1 = @threshold THEN 1 ELSE 0 END,
                locked_until = CASE WHEN consecutive_failures + 1 >= @permanentAfter THEN @forever
                                    WHEN failed_attempts + 1 = @threshold THEN {NextLock}
                                    ELSE locked_until END,
                updated_at = @now
            WHERE id = @userId
            RETURNING failed_attempts = @threshold OR consecutive_failures = @permanentAfter AS "LockedNow",
                      failed_attempts = @threshold AND lockouts = 1 AS "FirstLock", locked_until AS "LockedUntil"
            """, Parameters(userId, now, rule)) ?? new FailureRecord(false, false, null);
    }

    /// <summary>A right password: the count starts again and the slot is free.</summary>
    public async Task RecordPasswordSuccessAsync(Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE users SET failed_attempts = 0, consecutive_failures = 0, lockouts = 0, locked_until = NULL,
                             attempts_in_flight = greatest(attempts_in_flight - 1, 0), updated_at = @now
            WHERE id = @userId
            """, new { userId, now });
    }

    /// <summary>
    /// Takes one second-factor guess from the user's own counter before it is checked; neither a right password nor a
    /// reset clears it, so guesses add up across logins and channels. The guess that reaches the threshold (and every
    /// one after a lock expired) locks at once, escalating like password locks; a passed second factor lifts it.
    /// Null when the account is locked.
    /// </summary>
    public async Task<FailureRecord?> ClaimSecondFactorAsync(Guid userId, DateTime now, LockoutRule rule)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<FailureRecord>($"""
            UPDATE users SET
                second_factor_failures = second_factor_failures + 1,
                lockouts = lockouts + CASE WHEN second_factor_failures + 1 >= @threshold THEN 1 ELSE 0 END,
                locked_until = CASE WHEN second_factor_failures + 1 >= @permanentAfter THEN @forever
                                    WHEN second_factor_failures + 1 >= @threshold THEN {NextLock}
                                    ELSE locked_until END,
                updated_at = @now
            WHERE id = @userId AND (locked_until IS NULL OR locked_until <= @now)
            RETURNING second_factor_failures >= @threshold AS "LockedNow", second_factor_failures = @threshold AS "FirstLock",
                      locked_until AS "LockedUntil"
            """, Parameters(userId, now, rule));
    }

    public async Task RecordSecondFactorSuccessAsync(Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET second_factor_failures = 0, lockouts = 0, locked_until = NULL, updated_at = @now WHERE id = @userId", new { userId, now });
    }

    private static object Parameters(Guid userId, DateTime now, LockoutRule rule) => new
    {
        userId, now, threshold = rule.Threshold, permanentAfter = rule.PermanentAfter, forever = Forever,
        baseSeconds = rule.Base.TotalSeconds, maxSeconds = rule.Max.TotalSeconds,
    };
}
