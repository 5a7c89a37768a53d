using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace AccessPlatform.Login.Devices;

public sealed record TrustedDevice(Guid Id, string Label, DateTime FirstSeen, DateTime LastSeen, string? LastIp, DateTime ExpiresAt);

/// <summary>
/// Trust is per user and per device: a fresh random secret for each (user, browser), stored only as its SHA-256.
/// </summary>
public sealed class TrustedDeviceStore(NpgsqlDataSource db)
{
    public static string NewDeviceId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string deviceId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deviceId)));

    /// <summary>
    /// True when one of the browser's trust values was issued to this user and is neither expired nor revoked; its last
    /// use is recorded. Use never extends the trust: it ends a fixed time after the second factor that granted it.
    /// </summary>
    public async Task<bool> TouchIfTrustedAsync(Guid userId, IReadOnlyList<string> secrets, DateTime now, string? ip)
    {
        if (secrets.Count == 0)
        {
            return false;
        }
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            UPDATE trusted_devices SET last_seen = @now, last_ip = @ip
            WHERE user_id = @userId AND device_hash = ANY(@hashes) AND revoked_at IS NULL AND expires_at > @now
            """, new { userId, hashes = secrets.Select(HashOf).ToArray(), now, ip }) > 0;
    }

    public async Task TrustAsync(Guid userId, string deviceId, string label, DateTime now, TimeSpan trust, string? ip)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO trusted_devices (id, user_id, device_hash, label, first_seen, last_seen, last_ip, expires_at)
            VALUES (@id, @userId, @hash, @label, @now, @now, @ip, @expiresAt)
            ON CONFLICT (user_id, device_hash) DO UPDATE
                SET label = @label, first_seen = @now, last_seen = @now, last_ip = @ip, expires_at = @expiresAt, revoked_at = NULL
            """, new { id = Guid.CreateVersion7(), userId, hash = HashOf(deviceId), label, now, ip, expiresAt = now + trust });
    }

    public async Task<IReadOnlyList<TrustedDevice>> ListAsync(Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        var devices = await connection.QueryAsync<TrustedDevice>("""
            SELECT id AS "Id", label AS "Label", first_seen AS "FirstSeen", last_seen AS "LastSeen", last_ip AS "LastIp", expires_at AS "ExpiresAt"
            FROM trusted_devices WHERE user_id = @userId AND revoked_at IS NULL AND expires_at > @now ORDER BY last_seen DESC
            """, new { userId, now });
        return devices.AsList();
    }

    public async Task<bool> RevokeAsync(Guid userId, Guid deviceId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE trusted_devices SET revoked_at = @now WHERE id = @deviceId AND user_id = @userId AND revoked_at IS NULL",
            new { userId, deviceId, now }) == 1;
    }

    /// <summary>After a password reset or change, or by an Account Manager: every device must pass the second factor again.</summary>
    public async Task<int> RevokeAllAsync(Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE trusted_devices SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL", new { userId, now });
    }
}
