using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace AccessPlatform.Login.PasswordReset;

public sealed class PasswordResetOptions
{
    public const string Section = "Login:PasswordReset";

    /// <summary>Lifetime of a self-service or admin-started reset link.</summary>
    public int ResetLifetimeMinutes { get; set; } = 60;

    /// <summary>Lifetime of the set-password link of a new user (they may not read mail every day).</summary>
    public int InvitationLifetimeHours { get; set; } = 72;

    /// <summary>Self-service reset emails per user per hour; more requests are answered the same but send nothing.</summary>
    public int MaxEmailsPerUserPerHour { get; set; } = 3;

    public TimeSpan ResetLifetime => TimeSpan.FromMinutes(ResetLifetimeMinutes);
    public TimeSpan InvitationLifetime => TimeSpan.FromHours(InvitationLifetimeHours);
}

public enum TokenPurpose { Reset, Invitation }

/// <summary>The random secret in a reset link and its stored form.</summary>
public static class ResetToken
{
    /// <summary>256 bits from the OS CSPRNG (ASVS asks for at least 128).</summary>
    public const int Bytes = 32;

    /// <summary>Base64url of <see cref="Bytes"/> bytes, without padding.</summary>
    public const int Length = 43;

    public static string New() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(Bytes));

    /// <summary>Only the hash is stored: a database dump yields no working link. No salt needed, the token is random.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Refuses anything that cannot be one of ours before it reaches the database.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>A token taken out of the store: it is gone from the table whatever the caller decides next.</summary>
public sealed record RedeemedToken(Guid UserId, TokenPurpose Purpose, Guid IssuedStamp, bool Usable);

/// <summary>
/// One row per user in <c>password_tokens</c>: issuing replaces the previous token, redeeming deletes it in the same
/// statement that reads it (two parallel requests cannot both use one link), and the security stamp captured at
/// issue time must still be the user's, so any password change in between voids the token.
/// </summary>
public sealed class ResetTokenStore(NpgsqlDataSource db)
{
    public async Task<string> IssueAsync(Guid userId, Guid securityStamp, TokenPurpose purpose, DateTime now, TimeSpan lifetime)
    {
        var token = ResetToken.New();
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO password_tokens (user_id, token_hash, purpose, security_stamp, created_at, expires_at)
            VALUES (@userId, @hash, @purpose, @securityStamp, @now, @expiresAt)
            ON CONFLICT (user_id) DO UPDATE SET token_hash = @hash, purpose = @purpose, security_stamp = @securityStamp,
                created_at = @now, expires_at = @expiresAt
            """, new { userId, hash = ResetToken.HashOf(token), purpose = Name(purpose), securityStamp, now, expiresAt = now + lifetime });
        return token;
    }

    /// <summary>The user a token would reset, without using it up (the page shows the form only for a live link).</summary>
    public async Task<Guid?> PeekAsync(string? token, DateTime now)
    {
        if (!ResetToken.IsWellFormed(token))
        {
            return null;
        }
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid?>("""
            SELECT t.user_id FROM password_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @hash AND t.expires_at > @now AND t.security_stamp = u.security_stamp AND u.status = 'active'
            """, new { hash = ResetToken.HashOf(token!), now });
    }

    /// <summary>Deletes and returns the token (single use); null when no such token exists.</summary>
    public async Task<RedeemedToken?> RedeemAsync(string token, DateTime now)
    {
        if (!ResetToken.IsWellFormed(token))
        {
            return null;
        }
        await using var connection = await db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<TokenRow>("""
            DELETE FROM password_tokens t USING users u
            WHERE t.token_hash = @hash AND u.id = t.user_id
            RETURNING t.user_id AS "UserId", t.purpose AS "Purpose", t.security_stamp AS "IssuedStamp",
                      (t.expires_at > @now AND t.security_stamp = u.security_stamp AND u.status = 'active') AS "Usable"
            """, new { hash = ResetToken.HashOf(token), now });
        return row is null ? null
            : new RedeemedToken(row.UserId, row.Purpose == "invitation" ? TokenPurpose.Invitation : TokenPurpose.Reset, row.IssuedStamp, row.Usable);
    }

    /// <summary>Disabling a user voids their link at once.</summary>
    public async Task VoidAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM password_tokens WHERE user_id = @userId", new { userId });
    }

    private sealed record TokenRow(Guid UserId, string Purpose, Guid IssuedStamp, bool Usable);

    private static string Name(TokenPurpose purpose) => purpose == TokenPurpose.Invitation ? "invitation" : "reset";
}
