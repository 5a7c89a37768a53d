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
}

/// <summary>SAML connections in <c>sso-db</c>.</summary>
public sealed class SsoConnectionStore(NpgsqlDataSource db, SpSigningKeys spKeys)
{
    static SsoConnectionStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private const string Select = """
        SELECT account_key, idp_entity_id, idp_sso_url, idp_certificates, want_authn_requests_signed, enforce_sso, jit_provisioning,
               allow_idp_initiated, link_existing_users_by_email, require_encrypted_assertions, idp_slo_url, idp_slo_response_url, updated_at
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
                   require_encrypted_assertions = @RequireEncryptedAssertions, idp_slo_url = @SloUrl, idp_slo_response_url = @SloResponseUrl, updated_at = now()
            WHERE account_key = @accountKey
            """, new
        {
            accountKey, settings.EntityId, settings.SsoUrl, settings.WantAuthnRequestsSigned, settings.EnforceSso, settings.JitProvisioning,
            settings.AllowIdpInitiated, settings.LinkExistingUsersByEmail, settings.RequireEncryptedAssertions, settings.SloUrl, settings.SloResponseUrl, certificates = settings.Certificates.Select(c => Convert.ToBase64String(c.RawData)).ToArray(),
        });
    }
}
