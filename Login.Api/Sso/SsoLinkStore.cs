using System.Security.Cryptography;
using AccessPlatform.Login.Data;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Sso;

public sealed record SsoAccount(Guid Id, string Key, string Status, bool SsoEnforced);

/// <summary>SSO links (account, IdP entity id, NameID) to users, and the account's <c>sso_enforced</c> flag, in <c>login-db</c>.</summary>
public sealed class SsoLinkStore(NpgsqlDataSource db)
{
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

    /// <summary>The linked user, marking the link used; null when this identity was never linked.</summary>
    public async Task<Guid?> FindLinkedUserAsync(Guid accountId, string idpEntityId, string nameId)
    {
        await using var connection = await db.OpenConnectionAsync();
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

    /// <summary>Links the identity to the user; when two first logins race, the link that won is returned.</summary>
    public async Task<Guid> LinkAsync(Guid accountId, SsoIdentity identity, Guid userId, string origin)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO sso_links (account_id, idp_entity_id, name_id, user_id, origin, given_name, family_name)
            VALUES (@accountId, @IdpEntityId, @NameId, @userId, @origin, @GivenName, @FamilyName)
            ON CONFLICT (account_id, idp_entity_id, name_id) DO UPDATE SET last_used_at = now()
            RETURNING user_id
            """, new { accountId, identity.IdpEntityId, identity.NameId, userId, origin, identity.GivenName, identity.FamilyName });
    }

    /// <summary>
    /// Creates a password-less user for the identity and links it, in one transaction. The username is the email
    /// when that is free platform-wide, else the account key with a random suffix (usernames are global).
    /// Returns the linked user, which is another one when a concurrent first login won.
    /// </summary>
    public async Task<Guid> CreateLinkedUserAsync(SsoAccount account, SsoIdentity identity, string email)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid? created = null;
        foreach (var username in new[] { email, $"{account.Key}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}" })
        {
            created = await connection.ExecuteScalarAsync<Guid?>("""
                INSERT INTO users (id, account_id, username, email, password_hash, preferred_language, roles, web_access, status, security_stamp)
                VALUES (@id, @accountId, @username, @email, NULL, 'en', @roles, true, 'active', @stamp)
                ON CONFLICT (lower(username)) DO NOTHING
                RETURNING id
                """, new { id = Guid.CreateVersion7(), accountId = account.Id, username, email, roles = new[] { Roles.User }, stamp = Guid.NewGuid() },
                transaction);
            if (created is not null)
            {
                break;
            }
        }
        var linked = await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO sso_links (account_id, idp_entity_id, name_id, user_id, origin, given_name, family_name)
            VALUES (@accountId, @IdpEntityId, @NameId, @userId, 'jit', @GivenName, @FamilyName)
            ON CONFLICT (account_id, idp_entity_id, name_id) DO UPDATE SET last_used_at = now()
            RETURNING user_id
            """, new { accountId = account.Id, identity.IdpEntityId, identity.NameId, userId = created ?? throw new InvalidOperationException("No free username."),
                identity.GivenName, identity.FamilyName }, transaction);
        if (linked != created)
        {
            // A concurrent first login linked another user: keep no orphan.
            await transaction.RollbackAsync();
            return linked;
        }
        await transaction.CommitAsync();
        return linked;
    }
}
