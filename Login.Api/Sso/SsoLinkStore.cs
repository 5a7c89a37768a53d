using System.Security.Cryptography;
using AccessPlatform.Login.Data;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Sso;

public sealed record SsoAccount(Guid Id, string Key, string Status, bool SsoEnforced);

/// <summary>A stored link as the security page and the admin profile show it.</summary>
public sealed record SsoLinkView(string IdpEntityId, string NameId, string Origin, DateTime CreatedAt, DateTime LastUsedAt);

/// <summary>How a link came about (the <c>origin</c> column).</summary>
public static class SsoLinkOrigin
{
    /// <summary>The user proved password and second factor on the link page.</summary>
    public const string Confirmed = "confirmed";

    /// <summary>A password-less user, by the connection's "link existing users by email" rule.</summary>
    public const string EmailMatch = "email-match";

    /// <summary>The user was created for the identity (JIT provisioning).</summary>
    public const string Jit = "jit";
}

/// <summary>SSO links (account, IdP entity id, NameID) to users, and the account's <c>sso_enforced</c> flag, in <c>login-db</c>.</summary>
public sealed class SsoLinkStore(NpgsqlDataSource db)
{
    /// <summary>RFC 4648 base32, lower case: JIT usernames are <c>{account}-</c> and eight of these (40 random bits).</summary>
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    public async Task<SsoAccount?> FindAccountAsync(string key)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<SsoAccount>(
            """SELECT id AS "Id", key AS "Key", status AS "Status", sso_enforced AS "SsoEnforced" FROM accounts WHERE key = @key""", new { key });
    }

    public async Task<bool> SetSsoEnforcedAsync(string key, bool enforced)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("UPDATE accounts SET sso_enforced = @enforced WHERE key = @key", new { key, enforced }) == 1;
    }

    /// <summary>The linked user, marking the link used (unless <paramref name="markUsed"/> is off: a test sign-in); null when this identity was never linked.</summary>
    public async Task<Guid?> FindLinkedUserAsync(Guid accountId, string idpEntityId, string nameId, bool markUsed = true)
    {
        await using var connection = await db.OpenConnectionAsync();
        if (!markUsed)
        {
            return await connection.ExecuteScalarAsync<Guid?>(
                "SELECT user_id FROM sso_links WHERE account_id = @accountId AND idp_entity_id = @idpEntityId AND name_id = @nameId",
                new { accountId, idpEntityId, nameId });
        }
        return await connection.ExecuteScalarAsync<Guid?>("""
            UPDATE sso_links SET last_used_at = now()
            WHERE account_id = @accountId AND idp_entity_id = @idpEntityId AND name_id = @nameId
            RETURNING user_id
            """, new { accountId, idpEntityId, nameId });
    }

    /// <summary>Users of the account with this email, case-insensitively (more than one means no match).</summary>
    public async Task<IReadOnlyList<Guid>> FindByEmailAsync(Guid accountId, string email)
    {
        await using var connection = await db.OpenConnectionAsync();
        var ids = await connection.QueryAsync<Guid>(
            "SELECT id FROM users WHERE account_id = @accountId AND lower(email) = lower(@email) LIMIT 2", new { accountId, email });
        return ids.AsList();
    }

    /// <summary>Whether the user already has a link to this IdP (then the email rule links no second NameID).</summary>
    public async Task<bool> HasLinkToIdpAsync(Guid accountId, Guid userId, string idpEntityId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM sso_links WHERE account_id = @accountId AND user_id = @userId AND idp_entity_id = @idpEntityId)",
            new { accountId, userId, idpEntityId });
    }

    /// <summary>Links the identity to the user; when two first logins race, the link that won is returned.</summary>
    public async Task<Guid> LinkAsync(Guid accountId, SsoIdentity identity, Guid userId, string origin)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO sso_links (account_id, idp_entity_id, name_id, user_id, origin, given_name, family_name, name_id_format)
            VALUES (@accountId, @IdpEntityId, @NameId, @userId, @origin, @GivenName, @FamilyName, @NameIdFormat)
            ON CONFLICT (account_id, idp_entity_id, name_id) DO UPDATE SET last_used_at = now()
            RETURNING user_id
            """, new { accountId, identity.IdpEntityId, identity.NameId, userId, origin, identity.GivenName, identity.FamilyName, identity.NameIdFormat });
    }

    public async Task<IReadOnlyList<SsoLinkView>> ListForUserAsync(Guid accountId, Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var links = await connection.QueryAsync<SsoLinkView>("""
            SELECT idp_entity_id AS "IdpEntityId", name_id AS "NameId", origin AS "Origin", created_at AS "CreatedAt", last_used_at AS "LastUsedAt"
            FROM sso_links WHERE account_id = @accountId AND user_id = @userId ORDER BY created_at LIMIT 50
            """, new { accountId, userId });
        return links.AsList();
    }

    /// <summary>Removes one of the user's links; false when the user has no such link (another user's link is never touched).</summary>
    public async Task<bool> RemoveAsync(Guid accountId, Guid userId, string idpEntityId, string nameId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "DELETE FROM sso_links WHERE account_id = @accountId AND user_id = @userId AND idp_entity_id = @idpEntityId AND name_id = @nameId",
            new { accountId, userId, idpEntityId, nameId }) == 1;
    }

    /// <summary>The active Account Managers of the account (every SSO settings change is sent to each).</summary>
    public async Task<IReadOnlyList<Guid>> AccountManagersAsync(Guid accountId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var ids = await connection.QueryAsync<Guid>(
            "SELECT id FROM users WHERE account_id = @accountId AND status = 'active' AND @role = ANY(roles) ORDER BY id LIMIT 100",
            new { accountId, role = Roles.AccountManager });
        return ids.AsList();
    }

    /// <summary>A JIT username: the account key and eight random base32 characters, never the asserted email.</summary>
    public static string NewJitUsername(string accountKey) => $"{accountKey}-{RandomNumberGenerator.GetString(Base32, 8)}";

    /// <summary>
    /// Creates a password-less user for the identity and links it, in one transaction. Usernames are platform-wide,
    /// so the name is <see cref="NewJitUsername"/> (a collision, 1 in 2^40, draws again). Returns the linked user and
    /// whether it was created here (false when a concurrent first login won).
    /// </summary>
    public async Task<(Guid UserId, bool Created)> CreateLinkedUserAsync(SsoAccount account, SsoIdentity identity, string email)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid? created = null;
        for (var attempt = 0; attempt < 3 && created is null; attempt++)
        {
            created = await connection.ExecuteScalarAsync<Guid?>("""
                INSERT INTO users (id, account_id, username, email, password_hash, preferred_language, roles, web_access, status, security_stamp,
                                   given_name, family_name)
                VALUES (@id, @accountId, @username, @email, NULL, 'en', @roles, true, 'active', @stamp, @GivenName, @FamilyName)
                ON CONFLICT (lower(username)) DO NOTHING
                RETURNING id
                """, new { id = Guid.CreateVersion7(), accountId = account.Id, username = NewJitUsername(account.Key), email, roles = new[] { Roles.User },
                    stamp = Guid.NewGuid(), identity.GivenName, identity.FamilyName },
                transaction);
        }
        var linked = await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO sso_links (account_id, idp_entity_id, name_id, user_id, origin, given_name, family_name, name_id_format)
            VALUES (@accountId, @IdpEntityId, @NameId, @userId, 'jit', @GivenName, @FamilyName, @NameIdFormat)
            ON CONFLICT (account_id, idp_entity_id, name_id) DO UPDATE SET last_used_at = now()
            RETURNING user_id
            """, new { accountId = account.Id, identity.IdpEntityId, identity.NameId, userId = created ?? throw new InvalidOperationException("No free username."),
                identity.GivenName, identity.FamilyName, identity.NameIdFormat }, transaction);
        if (linked != created)
        {
            // A concurrent first login linked another user: keep no orphan.
            await transaction.RollbackAsync();
            return (linked, false);
        }
        await transaction.CommitAsync();
        return (linked, true);
    }
}
