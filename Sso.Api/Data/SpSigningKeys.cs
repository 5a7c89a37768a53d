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

/// <summary>What an SP key is for (<c>sso_sp_keys.use</c>): each use has its own key and its own rollover.</summary>
public static class SpKeyUse
{
    /// <summary>Signs AuthnRequests (metadata <c>KeyDescriptor use="signing"</c>).</summary>
    public const string Signing = "signing";

    /// <summary>IdPs encrypt assertions to it; Sso.Api decrypts them (metadata <c>KeyDescriptor use="encryption"</c>).</summary>
    public const string Encryption = "encryption";
}

/// <summary>One SP key as metadata and the admin page see it: the public certificate only.</summary>
public sealed record SpKey(Guid Id, string State, byte[] Certificate, DateTime NotAfter, string Use = SpKeyUse.Signing)
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
            SELECT id AS "Id", state AS "State", certificate AS "Certificate", not_after AS "NotAfter", use AS "Use"
            FROM sso_sp_keys WHERE account_key = @accountKey ORDER BY created_at
            """, new { accountKey });
        return keys.AsList();
    }

    /// <summary>Gives the account a current signing and a current encryption key where it has none (first visit of the settings).</summary>
    public async Task EnsureCurrentAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        foreach (var use in new[] { SpKeyUse.Signing, SpKeyUse.Encryption })
        {
            if (!await connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM sso_sp_keys WHERE account_key = @accountKey AND use = @use AND state = 'current')", new { accountKey, use }))
            {
                await InsertAsync(connection, accountKey, use, SpKeyState.Current, NewPfx(accountKey, use), onConflictDoNothing: true);
            }
        }
    }

    /// <summary>The certificate with its private key that signs AuthnRequests, decoded once per key.</summary>
    public Task<X509Certificate2?> SigningCertificateAsync(SpKey key) => PrivateCertificateAsync(key);

    /// <summary>
    /// Every encryption key of the account with its private key (current, and next or previous during a rollover): an
    /// IdP may encrypt to any certificate the metadata published. Decoded once per key and cached like the signing key.
    /// </summary>
    public async Task<IReadOnlyList<X509Certificate2>> DecryptionCertificatesAsync(string accountKey)
    {
        var certificates = new List<X509Certificate2>();
        foreach (var key in (await ListAsync(accountKey)).Where(k => k.Use == SpKeyUse.Encryption))
        {
            if (await PrivateCertificateAsync(key) is { } certificate)
            {
                certificates.Add(certificate);
            }
        }
        return certificates;
    }

    private async Task<X509Certificate2?> PrivateCertificateAsync(SpKey key)
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

    /// <summary>Rollover step 1 of the signing key.</summary>
    public Task<SpRolloverResult> AddNextAsync(string accountKey) => AddNextAsync(accountKey, SpKeyUse.Signing);

    /// <summary>Rollover step 2 of the signing key.</summary>
    public Task<SpRolloverResult> SwitchAsync(string accountKey) => SwitchAsync(accountKey, SpKeyUse.Signing);

    /// <summary>Rollover step 3 of the signing key.</summary>
    public Task<SpRolloverResult> RetireAsync(string accountKey) => RetireAsync(accountKey, SpKeyUse.Signing);

    /// <summary>Rollover step 1: a new key pair, published in metadata beside the current one, not yet used.</summary>
    public async Task<SpRolloverResult> AddNextAsync(string accountKey, string use)
    {
        await using var connection = await db.OpenConnectionAsync();
        // One rollover at a time per use: a next key, or a previous one not yet retired, blocks a new one.
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM sso_sp_keys WHERE account_key = @accountKey AND use = @use AND state IN ('next', 'previous'))",
                new { accountKey, use }))
        {
            return SpRolloverResult.Conflict;
        }
        return await InsertAsync(connection, accountKey, use, SpKeyState.Next, NewPfx(accountKey, use), onConflictDoNothing: true) == 1
            ? SpRolloverResult.Done : SpRolloverResult.Conflict;
    }

    /// <summary>
    /// Rollover step 2: the next key is used from now on (signing: requests are signed with it; encryption: it is the
    /// one the metadata names first); the old one stays published as previous, and still decrypts.
    /// </summary>
    public async Task<SpRolloverResult> SwitchAsync(string accountKey, string use)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Lock the account's keys of this use so two switches cannot interleave.
        var states = (await connection.QueryAsync<string>(
            "SELECT state FROM sso_sp_keys WHERE account_key = @accountKey AND use = @use FOR UPDATE", new { accountKey, use }, transaction)).AsList();
        if (!states.Contains(SpKeyState.Next) || states.Contains(SpKeyState.Previous))
        {
            return SpRolloverResult.Conflict;
        }
        await connection.ExecuteAsync("UPDATE sso_sp_keys SET state = 'previous' WHERE account_key = @accountKey AND use = @use AND state = 'current'",
            new { accountKey, use }, transaction);
        await connection.ExecuteAsync("UPDATE sso_sp_keys SET state = 'current' WHERE account_key = @accountKey AND use = @use AND state = 'next'",
            new { accountKey, use }, transaction);
        await transaction.CommitAsync();
        return SpRolloverResult.Done;
    }

    /// <summary>Rollover step 3: the previous key is deleted and no longer published (an encryption key no longer decrypts).</summary>
    public async Task<SpRolloverResult> RetireAsync(string accountKey, string use)
    {
        await using var connection = await db.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<Guid?>(
            "DELETE FROM sso_sp_keys WHERE account_key = @accountKey AND use = @use AND state = 'previous' RETURNING id", new { accountKey, use });
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
            await InsertAsync(connection, accountKey, SpKeyUse.Signing, SpKeyState.Current, pfx, onConflictDoNothing: true, transaction);
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

    private async Task<int> InsertAsync(NpgsqlConnection connection, string accountKey, string use, string state, byte[] pfx, bool onConflictDoNothing,
        NpgsqlTransaction? transaction = null)
    {
        using var certificate = X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.EphemeralKeySet);
        return await connection.ExecuteAsync($"""
            INSERT INTO sso_sp_keys (id, account_key, use, state, certificate, protected_key, not_after)
            VALUES (@id, @accountKey, @use, @state, @certificate, @protectedKey, @notAfter)
            {(onConflictDoNothing ? "ON CONFLICT (account_key, use, state) DO NOTHING" : "")}
            """, new
        {
            id = Guid.CreateVersion7(), accountKey, use, state, certificate = certificate.RawData, protectedKey = protector.Protect(pfx),
            notAfter = certificate.NotAfter.ToUniversalTime(),
        }, transaction);
    }

    /// <summary>
    /// A self-signed RSA-2048 certificate valid <see cref="Validity"/>: for signing AuthnRequests, or (key usage
    /// keyEncipherment) for the IdP to wrap the assertion's content key with.
    /// </summary>
    private byte[] NewPfx(string accountKey, string use)
    {
        using var rsa = RSA.Create(2048);
        var subject = use == SpKeyUse.Encryption ? $"CN=Access Platform SSO encryption {accountKey}" : $"CN=Access Platform SSO {accountKey}";
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            use == SpKeyUse.Encryption ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = clock.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now + Validity);
        return certificate.Export(X509ContentType.Pfx);
    }

    private static string CacheKey(Guid id) => "sp-signing-key:" + id;

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "SP signing keys moved into protected storage: {Count}")]
    private static partial void LogMigrated(ILogger logger, int count);
}
