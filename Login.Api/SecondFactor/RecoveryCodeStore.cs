using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// A user's recovery codes at rest (ASVS 6.5.2): each code only as HMAC-SHA256 under a random key of its set, and the
/// key encrypted with the Data Protection key ring (as <see cref="TotpSecretProtector"/> does for authenticator
/// secrets). Why HMAC with a protected key rather than SHA-256 with a salt: 50 bits are too few to survive an offline
/// search, and with a salt the database dump holds everything a search needs; here it also needs the key ring, which
/// lives apart from the database. Using a code is one conditional UPDATE, so of two parallel uses only one wins.
/// </summary>
public sealed class RecoveryCodeStore(NpgsqlDataSource db, IDataProtectionProvider provider)
{
    public const string Purpose = "AccessPlatform.Login.RecoveryCodes.v1";

    private readonly IDataProtector protector = provider.CreateProtector(Purpose);

    public sealed record Summary(int Remaining, DateTime? CreatedAt);

    /// <summary>Replaces the user's set (the old codes stop working in the same transaction) with <paramref name="codes"/>.</summary>
    public async Task ReplaceAsync(Guid userId, IReadOnlyList<string> codes, DateTime now)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The upsert locks the user's set row first, so parallel generations run one after the other and the last
        // one's key and codes win together (a delete-then-insert would race into a duplicate key).
        await connection.ExecuteAsync("""
            INSERT INTO recovery_code_sets (user_id, hmac_key, created_at) VALUES (@userId, @hmacKey, @now)
            ON CONFLICT (user_id) DO UPDATE SET hmac_key = EXCLUDED.hmac_key, created_at = EXCLUDED.created_at
            """, new { userId, hmacKey = protector.Protect(Convert.ToBase64String(key)), now }, transaction);
        await connection.ExecuteAsync("DELETE FROM recovery_codes WHERE user_id = @userId", new { userId }, transaction);
        await connection.ExecuteAsync("INSERT INTO recovery_codes (user_id, code_hash) VALUES (@userId, @hash)",
            codes.Select(code => new { userId, hash = Hash(key, code) }), transaction);
        await transaction.CommitAsync();
    }

    public async Task<Summary> SummaryAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<Summary>("""
            SELECT (SELECT count(*)::int FROM recovery_codes WHERE user_id = @userId AND used_at IS NULL) AS "Remaining",
                   (SELECT created_at FROM recovery_code_sets WHERE user_id = @userId) AS "CreatedAt"
            """, new { userId });
    }

    /// <summary>
    /// Spends the code if it is one of the user's unused codes: the number left afterwards; null when it is not (or
    /// a parallel use of the same code won).
    /// </summary>
    public async Task<int?> RedeemAsync(Guid userId, string code, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        var protectedKey = await connection.QuerySingleOrDefaultAsync<string>("SELECT hmac_key FROM recovery_code_sets WHERE user_id = @userId", new { userId });
        if (Unprotect(protectedKey) is not { } key)
        {
            return null;
        }
        var guess = Hash(key, code);
        var unused = await connection.QueryAsync<byte[]>("SELECT code_hash FROM recovery_codes WHERE user_id = @userId AND used_at IS NULL", new { userId });
        // Every stored hash is compared, in constant time, so the time taken does not depend on where a match is.
        byte[]? match = null;
        foreach (var stored in unused)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, guess))
            {
                match = stored;
            }
        }
        if (match is null)
        {
            return null;
        }
        var spent = await connection.ExecuteAsync(
            "UPDATE recovery_codes SET used_at = @now WHERE user_id = @userId AND code_hash = @match AND used_at IS NULL", new { userId, match, now });
        if (spent != 1)
        {
            return null;
        }
        return await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM recovery_codes WHERE user_id = @userId AND used_at IS NULL", new { userId });
    }

    /// <summary>Deletes the user's set; false when there was none.</summary>
    public async Task<bool> RemoveAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("DELETE FROM recovery_code_sets WHERE user_id = @userId", new { userId }) > 0;
    }

    private static byte[] Hash(byte[] key, string code) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(code));

    private byte[]? Unprotect(string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        try
        {
            return Convert.FromBase64String(protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
