using Dapper;
using Npgsql;
using OtpNet;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// The authenticator-app channel (TOTP, RFC 6238, 30 s steps, one step of skew either way). Enrolment is confirmed
/// with a first code; every accepted time step is remembered, so a code is usable once (unlike ASP.NET Core
/// Identity, aspnetcore#14423).
/// </summary>
public sealed class Authenticator(NpgsqlDataSource db)
{
    private static readonly VerificationWindow Skew = new(previous: 1, future: 1);

    public sealed record Enrolment(string Secret, string OtpAuthUri);

    public async Task<Enrolment> BeginAsync(Guid userId, string username)
    {
        // An enrolment in progress keeps its secret until confirmed, so a page reload does not invalidate the scanned code.
        await using var connection = await db.OpenConnectionAsync();
        var secret = await connection.ExecuteScalarAsync<string>(
            "UPDATE users SET totp_pending_secret = COALESCE(totp_pending_secret, @fresh) WHERE id = @userId RETURNING totp_pending_secret",
            new { userId, fresh = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)) });
        var label = Uri.EscapeDataString($"Access Platform:{username}");
        return new Enrolment(secret!, $"otpauth://totp/{label}?secret={secret}&issuer=Access%20Platform&algorithm=SHA1&digits=6&period=30");
    }

    /// <summary>The first code proves the app holds the secret; only then does it become a channel.</summary>
    public async Task<bool> ConfirmAsync(Guid userId, string? code)
    {
        await using var connection = await db.OpenConnectionAsync();
        var pending = await connection.ExecuteScalarAsync<string?>("SELECT totp_pending_secret FROM users WHERE id = @userId", new { userId });
        if (pending is null || !Matches(pending, code, out var step))
        {
            return false;
        }
        return await connection.ExecuteAsync("""
            UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = @step
            WHERE id = @userId AND totp_pending_secret = @pending
            """, new { userId, pending, step }) == 1;
    }

    public async Task RemoveAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, otp_channel = NULL WHERE id = @userId", new { userId });
    }

    /// <summary>A right code whose time step is newer than the last accepted one; the step is taken atomically.</summary>
    public async Task<bool> VerifyOnceAsync(Guid userId, string secret, string? code)
    {
        if (!Matches(secret, code, out var step))
        {
            return false;
        }
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE users SET totp_last_step = @step WHERE id = @userId AND (totp_last_step IS NULL OR totp_last_step < @step)",
            new { userId, step }) == 1;
    }

    private static bool Matches(string secret, string? code, out long step)
    {
        step = 0;
        var normalized = code?.Trim().Replace(" ", "");
        return normalized is { Length: 6 } && normalized.All(char.IsAsciiDigit)
            && new Totp(Base32Encoding.ToBytes(secret)).VerifyTotp(normalized, out step, Skew);
    }
}
