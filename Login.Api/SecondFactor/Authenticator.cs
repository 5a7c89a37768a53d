using Dapper;
using Npgsql;
using OtpNet;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// The authenticator-app channel (TOTP, RFC 6238, 30 s steps, one step of skew either way). Enrolment is confirmed
/// with a first code; every accepted time step is remembered, so a code is usable once (unlike ASP.NET Core
/// Identity, aspnetcore#14423). Secrets are stored encrypted (<see cref="TotpSecretProtector"/>). A pending secret is
/// new at every start and lives <see cref="PendingLifetime"/>: one fetched earlier (another tab, a shoulder-surfed
/// screen) cannot be confirmed later.
/// </summary>
public sealed class Authenticator(NpgsqlDataSource db, TotpSecretProtector protector, TimeProvider clock)
{
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    private static readonly VerificationWindow Skew = new(previous: 1, future: 1);

    public sealed record Enrolment(string Secret, string OtpAuthUri, DateTime ExpiresAt);

    public enum Confirmation { Invalid, Enrolled, Replaced }

    /// <summary>A fresh pending secret for a user without an app; null when an app is enrolled (replace it instead).</summary>
    public Task<Enrolment?> BeginAsync(Guid userId, string username) => StartPendingAsync(userId, username, "totp_secret IS NULL");

    /// <summary>
    /// A fresh pending secret that replaces the enrolled app once confirmed; the caller has checked a code of the
    /// current app (<see cref="VerifyCurrentAsync"/>). Null when no app is enrolled.
    /// </summary>
    public Task<Enrolment?> BeginReplacementAsync(Guid userId, string username) => StartPendingAsync(userId, username, "totp_secret IS NOT NULL");

    private async Task<Enrolment?> StartPendingAsync(Guid userId, string username, string condition)
    {
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await db.OpenConnectionAsync();
        // The condition is one of the two constants above, never input.
        var started = await connection.ExecuteAsync(
            $"UPDATE users SET totp_pending_secret = @pending, totp_pending_since = @now WHERE id = @userId AND {condition}",
            new { userId, pending = protector.Protect(secret), now }) == 1;
        return started ? EnrolmentOf(username, secret, now) : null;
    }

    /// <summary>The pending enrolment still in its lifetime (to show the same QR code again after a wrong first code).</summary>
    public async Task<Enrolment?> PendingAsync(Guid userId, string username)
    {
        await using var connection = await db.OpenConnectionAsync();
        var pending = await connection.QuerySingleOrDefaultAsync<(string? Secret, DateTime? Since)>(
            "SELECT totp_pending_secret, totp_pending_since FROM users WHERE id = @userId", new { userId });
        return Live(pending.Secret, pending.Since) is { } secret ? EnrolmentOf(username, secret, pending.Since!.Value) : null;
    }

    /// <summary>
    /// The first code proves the app holds the pending secret; only then does it become the channel, in place of
    /// the old app when one was enrolled (a replacement started by <see cref="BeginReplacementAsync"/>).
    /// </summary>
    public async Task<Confirmation> ConfirmAsync(Guid userId, string? code)
    {
        await using var connection = await db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(string? Current, string? Pending, DateTime? Since)>(
            "SELECT totp_secret, totp_pending_secret, totp_pending_since FROM users WHERE id = @userId", new { userId });
        if (Live(row.Pending, row.Since) is not { } secret || !Matches(secret, code, out var step))
        {
            return Confirmation.Invalid;
        }
        var confirmed = await connection.ExecuteAsync("""
            UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_pending_since = NULL, totp_last_step = @step
            WHERE id = @userId AND totp_pending_secret = @pending
            """, new { userId, pending = row.Pending, step }) == 1;
        return !confirmed ? Confirmation.Invalid : row.Current is null ? Confirmation.Enrolled : Confirmation.Replaced;
    }

    /// <summary>Removes the app (and any pending one); false when none was enrolled.</summary>
    public async Task<bool> RemoveAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_pending_since = NULL, totp_last_step = NULL,
                             otp_channel = CASE WHEN otp_channel = 'totp' THEN NULL ELSE otp_channel END
            WHERE id = @userId AND totp_secret IS NOT NULL
            """, new { userId }) == 1;
    }

    /// <summary>A right code of the enrolled app, spent like a login code (usable once).</summary>
    public async Task<bool> VerifyCurrentAsync(Guid userId, string? code)
    {
        await using var connection = await db.OpenConnectionAsync();
        var stored = await connection.ExecuteScalarAsync<string?>("SELECT totp_secret FROM users WHERE id = @userId", new { userId });
        return stored is not null && await VerifyOnceAsync(userId, stored, code);
    }

    /// <summary>
    /// A right code whose time step is newer than the last accepted one; the step is taken atomically.
    /// <paramref name="storedSecret"/> is the value as stored (<see cref="Data.User.TotpSecret"/>), encrypted.
    /// </summary>
    public async Task<bool> VerifyOnceAsync(Guid userId, string storedSecret, string? code)
    {
        if (protector.Unprotect(storedSecret) is not { } secret || !Matches(secret, code, out var step))
        {
            return false;
        }
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE users SET totp_last_step = @step WHERE id = @userId AND (totp_last_step IS NULL OR totp_last_step < @step)",
            new { userId, step }) == 1;
    }

    /// <summary>Codes are six digits; anything else is refused before it reaches the TOTP check.</summary>
    public static bool IsWellFormed(string? code) => Normalize(code) is { Length: 6 } normalized && normalized.All(char.IsAsciiDigit);

    private string? Live(string? pending, DateTime? since) =>
        pending is not null && since is { } issued && clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(issued, DateTimeKind.Utc) < PendingLifetime
            ? protector.Unprotect(pending)
            : null;

    private static Enrolment EnrolmentOf(string username, string secret, DateTime issued)
    {
        var label = Uri.EscapeDataString($"Access Platform:{username}");
        return new Enrolment(secret, $"otpauth://totp/{label}?secret={secret}&issuer=Access%20Platform&algorithm=SHA1&digits=6&period=30",
            DateTime.SpecifyKind(issued, DateTimeKind.Utc) + PendingLifetime);
    }

    private static string? Normalize(string? code) => code?.Trim().Replace(" ", "");

    private static bool Matches(string secret, string? code, out long step)
    {
        step = 0;
        var normalized = Normalize(code);
        return IsWellFormed(normalized) && new Totp(Base32Encoding.ToBytes(secret)).VerifyTotp(normalized, out step, Skew);
    }
}
