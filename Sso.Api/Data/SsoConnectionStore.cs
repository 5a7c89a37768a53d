using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Npgsql;
using Sso.Api.Saml;

namespace AccessPlatform.Sso.Data;

/// <summary>An account's SAML connection as stored.</summary>
public sealed class SsoConnection
{
    public string AccountKey { get; init; } = "";
    public string? IdpEntityId { get; init; }
    public string? IdpSsoUrl { get; init; }
    public string[] IdpCertificates { get; init; } = [];
    public bool WantAuthnRequestsSigned { get; init; }
    public bool EnforceSso { get; init; }
    public bool JitProvisioning { get; init; }
    public bool AllowIdpInitiated { get; init; }
    public bool LinkExistingUsersByEmail { get; init; }
    public bool RequireEncryptedAssertions { get; init; }
    public string? IdpSloUrl { get; init; }
    public string? IdpSloResponseUrl { get; init; }
    public DateTime UpdatedAt { get; init; }

    /// <summary>The IdP metadata URL, when the settings come from it (fetched at save time and then refreshed).</summary>
    public string? MetadataUrl { get; init; }
    public DateTime? MetadataFetchedAt { get; init; }

    /// <summary>The last fetch's failure (a <c>MetadataFetchFailure</c> code) and its time; null after a good fetch.</summary>
    public string? MetadataError { get; init; }
    public DateTime? MetadataErrorAt { get; init; }

    public bool IsConfigured => IdpEntityId is not null && IdpSsoUrl is not null && IdpCertificates.Length > 0;

    public IReadOnlyList<X509Certificate2> LoadIdpCertificates() =>
        IdpCertificates.Select(c => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(c))).ToList();

    public IdpConfig ToIdpConfig() => new()
    {
        EntityId = IdpEntityId ?? throw new InvalidOperationException("SSO is not configured."),
        SingleSignOnUrl = IdpSsoUrl ?? throw new InvalidOperationException("SSO is not configured."),
        SigningCertificates = LoadIdpCertificates(),
        WantAuthnRequestsSigned = WantAuthnRequestsSigned,
        AllowIdpInitiated = AllowIdpInitiated,
        RequireEncryptedAssertions = RequireEncryptedAssertions,
        SingleLogoutUrl = IdpSloUrl,
        SingleLogoutResponseUrl = IdpSloResponseUrl,
    };
}

/// <summary>What an Account Manager configured, already validated.</summary>
public sealed record IdpSettings(
    string EntityId, string SsoUrl, IReadOnlyList<X509Certificate2> Certificates, bool WantAuthnRequestsSigned,
    bool EnforceSso, bool JitProvisioning, bool AllowIdpInitiated, bool LinkExistingUsersByEmail = false,
    string? SloUrl = null, string? SloResponseUrl = null)
{
    /// <summary>Refuse plain assertions (saml-encryption-required). Off by default.</summary>
    public bool RequireEncryptedAssertions { get; init; }

    /// <summary>Set when the settings were read from a metadata URL: the URL and the document as fetched (the last good one).</summary>
    public string? MetadataUrl { get; init; }
    public string? MetadataXml { get; init; }
}

/// <summary>SAML connections in <c>sso-db</c>.</summary>
public sealed class SsoConnectionStore(NpgsqlDataSource db, SpSigningKeys spKeys)
{
    static SsoConnectionStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private const string Select = """
        SELECT account_key, idp_entity_id, idp_sso_url, idp_certificates, want_authn_requests_signed, enforce_sso, jit_provisioning,
               allow_idp_initiated, link_existing_users_by_email, require_encrypted_assertions, idp_slo_url, idp_slo_response_url,
               updated_at, metadata_url, metadata_fetched_at, metadata_error, metadata_error_at
        FROM sso_connections
        """;

    public async Task<SsoConnection?> FindAsync(string accountKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<SsoConnection>($"{Select} WHERE account_key = @accountKey", new { accountKey });
    }

    /// <summary>The account's connection, created with a fresh SP signing key on first use.</summary>
    public async Task<SsoConnection> GetOrCreateAsync(string accountKey)
    {
        var existing = await FindAsync(accountKey);
        if (existing is null)
        {
            await using var connection = await db.OpenConnectionAsync();
            await connection.ExecuteAsync(
                "INSERT INTO sso_connections (account_key) VALUES (@accountKey) ON CONFLICT (account_key) DO NOTHING", new { accountKey });
        }
        await spKeys.EnsureCurrentAsync(accountKey);
        return existing ?? await FindAsync(accountKey) ?? throw new InvalidOperationException("The SSO connection could not be created.");
    }

    public async Task SaveAsync(string accountKey, IdpSettings settings)
    {
        await GetOrCreateAsync(accountKey);
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE sso_connections SET idp_entity_id = @EntityId, idp_sso_url = @SsoUrl, idp_certificates = @certificates,
                   want_authn_requests_signed = @WantAuthnRequestsSigned, enforce_sso = @EnforceSso, jit_provisioning = @JitProvisioning,
                   allow_idp_initiated = @AllowIdpInitiated, link_existing_users_by_email = @LinkExistingUsersByEmail,
                   require_encrypted_assertions = @RequireEncryptedAssertions, idp_slo_url = @SloUrl, idp_slo_response_url = @SloResponseUrl, updated_at = now(),
                   metadata_url = @MetadataUrl, metadata_xml = @MetadataXml,
                   metadata_fetched_at = CASE WHEN @MetadataUrl::text IS NULL THEN NULL ELSE now() END, metadata_error = NULL, metadata_error_at = NULL
            WHERE account_key = @accountKey
            """, new
        {
            accountKey, settings.EntityId, settings.SsoUrl, settings.MetadataUrl, settings.MetadataXml, settings.WantAuthnRequestsSigned, settings.EnforceSso, settings.JitProvisioning,
            settings.AllowIdpInitiated, settings.LinkExistingUsersByEmail, settings.RequireEncryptedAssertions, settings.SloUrl, settings.SloResponseUrl, certificates = settings.Certificates.Select(c => Convert.ToBase64String(c.RawData)).ToArray(),
        });
    }

    /// <summary>A refresh found the same settings: the fetch time moves on and any earlier error is cleared.</summary>
    public async Task RecordFetchSucceededAsync(string accountKey, string metadataXml)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE sso_connections SET metadata_fetched_at = now(), metadata_xml = @metadataXml, metadata_error = NULL, metadata_error_at = NULL
            WHERE account_key = @accountKey AND metadata_url IS NOT NULL
            """, new { accountKey, metadataXml });
    }

    /// <summary>A refresh failed: the settings and the last good document stay; the reason and its time are kept for the page.</summary>
    public async Task RecordFetchFailedAsync(string accountKey, string reason)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE sso_connections SET metadata_error = @reason, metadata_error_at = now() WHERE account_key = @accountKey AND metadata_url IS NOT NULL",
            new { accountKey, reason });
    }

    /// <summary>Accounts whose metadata URL was last tried (fetched or failed) before <paramref name="triedBefore"/>.</summary>
    public async Task<IReadOnlyList<string>> ListDueForRefreshAsync(DateTimeOffset triedBefore, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var keys = await connection.QueryAsync<string>(DueCondition + " ORDER BY account_key LIMIT @limit", new { triedBefore, limit });
        return keys.AsList();
    }

    private const string DueCondition = """
        SELECT account_key FROM sso_connections
        WHERE metadata_url IS NOT NULL
          AND greatest(coalesce(metadata_fetched_at, '-infinity'), coalesce(metadata_error_at, '-infinity')) < @triedBefore
        """;

    /// <summary>
    /// Runs <paramref name="refresh"/> for the account while holding a transaction-scoped advisory lock on it, when
    /// it is still due: with several replicas of Sso.Api one refreshes and the others skip (no double fetch, audit or email).
    /// </summary>
    public async Task<bool> TryRefreshExclusivelyAsync(string accountKey, DateTimeOffset triedBefore, Func<Task> refresh, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await connection.ExecuteScalarAsync<bool>(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('sso-metadata-refresh:' || @accountKey, 0))", new { accountKey }, transaction);
        // Checked again under the lock: another instance may have refreshed it a moment ago.
        if (!locked || !await connection.ExecuteScalarAsync<bool>(
                $"SELECT EXISTS ({DueCondition} AND account_key = @accountKey)", new { accountKey, triedBefore }, transaction))
        {
            return false;
        }
        await refresh();
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
