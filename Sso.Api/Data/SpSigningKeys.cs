using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace AccessPlatform.Sso.Data;

/// <summary>States of an SP signing key (<c>sso_sp_keys.state</c>).</summary>
public static class SpKeyState
{
    /// <summary>Added and published in metadata, not yet signing: the IdP learns it first.</summary>
    public const string Next = "next";

    /// <summary>Signs AuthnRequests.</summary>
    public const string Current = "current";

    /// <summary>Switched away from, still published until retired, for IdPs that refresh metadata late.</summary>
    public const string Previous = "previous";
}

/// <summary>One SP signing key as metadata and the admin page see it: the public certificate only.</summary>
public sealed record SpKey(Guid Id, string State, byte[] Certificate, DateTime NotAfter)
{
    public X509Certificate2 LoadCertificate() => X509CertificateLoader.LoadCertificate(Certificate);
}

/// <summary>What a rollover step did.</summary>
public enum SpRolloverResult
{
    Done,
    /// <summary>The step does not fit the current state (e.g. a next key already exists, or there is none to switch to).</summary>
    Conflict,
}

/// <summary>
/// The SP signing keys of each account in <c>sso_sp_keys</c>: private keys protected with the platform's Data
/// Protection key ring, public certificates beside them for metadata, rollover (next → current → previous → retired),
/// and the decoded signing certificate cached per key id (a key row never changes), so a flood of SAML GETs does
/// not decrypt and decode a PKCS#12 each.
/// </summary>
public sealed partial class SpSigningKeys(NpgsqlDataSource db, IDataProtectionProvider dataProtection, IMemoryCache cache, TimeProvider clock,
    ILogger<SpSigningKeys> logger)
{
    /// <summary>Validity of a new SP certificate.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(730);

    private readonly IDataProtector protector = dataProtection.CreateProtector("AccessPlatform.Sso.SpSigningKey.v1");

    public async Task<IReadOnlyList<SpKey>> ListAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        var keys = await connection.QueryAsync<SpKey>("""
            SELECT id AS "Id", state AS "State", certificate AS "Certificate", not_after AS "NotAfter"
            FROM sso_sp_keys WHERE account_key = @accountKey ORDER BY created_at
            """, new { accountKey });
        return keys.AsList();
    }

    /// <summary>Gives the account a current key when it has none (first visit of the settings).</summary>
    public async Task EnsureCurrentAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM sso_sp_keys WHERE account_key = @accountKey AND state = 'current')", new { accountKey }))
        {
            return;
        }
        await InsertAsync(connection, accountKey, SpKeyState.Current, NewPfx(accountKey), onConflictDoNothing: true);
    }

    /// <summary>The certificate with its private key that signs AuthnRequests, decoded once per key.</summary>
    public async Task<X509Certificate2?> SigningCertificateAsync(SpKey key)
    {
        if (cache.TryGetValue(CacheKey(key.Id), out X509Certificate2? cached))
        {
            return cached;
        }
        await using var connection = await db.OpenConnectionAsync();
        var protectedKey = await connection.ExecuteScalarAsync<byte[]?>("SELECT protected_key FROM sso_sp_keys WHERE id = @id", new { id = key.Id });
        if (protectedKey is null)
        {
            return null;
        }
        var certificate = X509CertificateLoader.LoadPkcs12(protector.Unprotect(protectedKey), null, X509KeyStorageFlags.EphemeralKeySet);
        // Not disposed on eviction: a request may still be signing with it; the finalizer frees the ephemeral key.
        return cache.Set(CacheKey(key.Id), certificate, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(30) });
    }

    /// <summary>Rollover step 1: a new key pair, published in metadata beside the current one, not yet signing.</summary>
    public async Task<SpRolloverResult> AddNextAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        // One rollover at a time: a next key, or a previous one not yet retired, blocks a new one.
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM sso_sp_keys WHERE account_key = @accountKey AND state IN ('next', 'previous'))", new { accountKey }))
        {
            return SpRolloverResult.Conflict;
        }
        return await InsertAsync(connection, accountKey, SpKeyState.Next, NewPfx(accountKey), onConflictDoNothing: true) == 1
            ? SpRolloverResult.Done : SpRolloverResult.Conflict;
    }

    /// <summary>Rollover step 2: the next key signs from now on; the old one stays published as previous.</summary>
    public async Task<SpRolloverResult> SwitchAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Lock the account's keys so two switches cannot interleave.
        var states = (await connection.QueryAsync<string>(
            "SELECT state FROM sso_sp_keys WHERE account_key = @accountKey FOR UPDATE", new { accountKey }, transaction)).AsList();
        if (!states.Contains(SpKeyState.Next) || states.Contains(SpKeyState.Previous))
        {
            return SpRolloverResult.Conflict;
        }
        await connection.ExecuteAsync("UPDATE sso_sp_keys SET state = 'previous' WHERE account_key = @accountKey AND state = 'current'",
            new { accountKey }, transaction);
        await connection.ExecuteAsync("UPDATE sso_sp_keys SET state = 'current' WHERE account_key = @accountKey AND state = 'next'",
            new { accountKey }, transaction);
        await transaction.CommitAsync();
        return SpRolloverResult.Done;
    }

    /// <summary>Rollover step 3: the previous key is deleted and no longer published.</summary>
    public async Task<SpRolloverResult> RetireAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<Guid?>(
            "DELETE FROM sso_sp_keys WHERE account_key = @accountKey AND state = 'previous' RETURNING id", new { accountKey });
        if (id is null)
        {
            return SpRolloverResult.Conflict;
        }
        cache.Remove(CacheKey(id.Value));
        return SpRolloverResult.Done;
    }

    /// <summary>
    /// Moves keys stored before 0003 (plain PKCS#12 in <c>sso_connections.sp_signing_pfx</c>) into protected rows
    /// and empties the old column. Idempotent; runs at start-up after the SQL migrations.
    /// </summary>
    public async Task<int> MigratePlainKeysAsync()
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string AccountKey, byte[] Pfx)>(
            "SELECT account_key, sp_signing_pfx FROM sso_connections WHERE sp_signing_pfx IS NOT NULL")).AsList();
        foreach (var (accountKey, pfx) in rows)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await InsertAsync(connection, accountKey, SpKeyState.Current, pfx, onConflictDoNothing: true, transaction);
            await connection.ExecuteAsync("UPDATE sso_connections SET sp_signing_pfx = NULL WHERE account_key = @accountKey",
                new { accountKey }, transaction);
            await transaction.CommitAsync();
        }
        if (rows.Count > 0)
        {
            LogMigrated(logger, rows.Count);
        }
        return rows.Count;
    }

    private async Task<int> InsertAsync(NpgsqlConnection connection, string accountKey, string state, byte[] pfx, bool onConflictDoNothing,
        NpgsqlTransaction? transaction = null)
    {
        using var certificate = X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.EphemeralKeySet);
        return await connection.ExecuteAsync($"""
            INSERT INTO sso_sp_keys (id, account_key, state, certificate, protected_key, not_after)
            VALUES (@id, @accountKey, @state, @certificate, @protectedKey, @notAfter)
            {(onConflictDoNothing ? "ON CONFLICT (account_key, state) DO NOTHING" : "")}
            """, new
        {
            id = Guid.CreateVersion7(), accountKey, state, certificate = certificate.RawData, protectedKey = protector.Protect(pfx),
            notAfter = certificate.NotAfter.ToUniversalTime(),
        }, transaction);
    }

    /// <summary>A self-signed RSA-2048 certificate for signing AuthnRequests, valid <see cref="Validity"/>.</summary>
    private byte[] NewPfx(string accountKey)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=Access Platform SSO {accountKey}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = clock.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now + Validity);
        return certificate.Export(X509ContentType.Pfx);
    }

    private static string CacheKey(Guid id) => "sp-signing-key:" + id;

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "SP signing keys moved into protected storage: {Count}")]
    private static partial void LogMigrated(ILogger logger, int count);
}
