using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Passkeys;

/// <summary>A registered passkey as the user sees it.</summary>
public sealed record PasskeyView(Guid Id, string Name, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>A registered passkey as an assertion check needs it.</summary>
public sealed record StoredPasskey(Guid Id, Guid UserId, byte[] CredentialId, byte[] PublicKey, long SignCount, byte[] UserHandle);

public sealed record NewPasskey(Guid UserId, byte[] CredentialId, byte[] PublicKey, uint SignCount, byte[] UserHandle, string Name);

/// <summary>Passkeys in <c>login-db</c>. The per-user maximum is checked in the statement that inserts, under a lock of the user's row.</summary>
public sealed class PasskeyStore(NpgsqlDataSource db)
{
    private const string SelectStored = """
        SELECT id AS "Id", user_id AS "UserId", credential_id AS "CredentialId", public_key AS "PublicKey", sign_count AS "SignCount",
               user_handle AS "UserHandle"
        FROM passkeys
        """;

    public async Task<IReadOnlyList<PasskeyView>> ListAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<PasskeyView>("""
            SELECT id AS "Id", name AS "Name", created_at AS "CreatedAt", last_used_at AS "LastUsedAt"
            FROM passkeys WHERE user_id = @userId ORDER BY created_at
            """, new { userId })).AsList();
    }

    public async Task<IReadOnlyList<byte[]>> CredentialIdsAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<byte[]>("SELECT credential_id FROM passkeys WHERE user_id = @userId ORDER BY created_at", new { userId })).AsList();
    }

    public async Task<int> CountAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM passkeys WHERE user_id = @userId", new { userId });
    }

    public async Task<bool> CredentialIdExistsAsync(byte[] credentialId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM passkeys WHERE credential_id = @credentialId)", new { credentialId });
    }

    public async Task<StoredPasskey?> FindAsync(byte[] credentialId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<StoredPasskey>($"{SelectStored} WHERE credential_id = @credentialId", new { credentialId });
    }

    /// <summary>Null when the user already has <paramref name="max"/> passkeys or the credential is registered already.</summary>
    public async Task<Guid?> AddAsync(NewPasskey passkey, int max, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The user's row serialises parallel registrations, so the count cannot be overshot.
        await connection.ExecuteAsync("SELECT 1 FROM users WHERE id = @UserId FOR UPDATE", passkey, transaction);
        var id = Guid.CreateVersion7();
        var inserted = await connection.ExecuteAsync("""
            INSERT INTO passkeys (id, user_id, credential_id, public_key, sign_count, user_handle, name, created_at)
            SELECT @id, @UserId, @CredentialId, @PublicKey, @SignCount, @UserHandle, @Name, @now
            WHERE (SELECT count(*) FROM passkeys WHERE user_id = @UserId) < @max
            ON CONFLICT (credential_id) DO NOTHING
            """, new { id, passkey.UserId, passkey.CredentialId, passkey.PublicKey, SignCount = (long)passkey.SignCount, passkey.UserHandle, passkey.Name, now, max },
            transaction);
        await transaction.CommitAsync();
        return inserted == 1 ? id : null;
    }

    /// <summary>
    /// Records a use: the new counter and the time. Only when the counter is still the one the check saw, so of two
    /// parallel uses of one signature counter value only one counts.
    /// </summary>
    public async Task<bool> RecordUseAsync(Guid id, long seenCount, uint newCount, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE passkeys SET sign_count = @newCount, last_used_at = @now WHERE id = @id AND sign_count = @seenCount",
            new { id, seenCount, newCount = (long)newCount, now }) == 1;
    }

    public async Task<bool> RenameAsync(Guid userId, Guid id, string name)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("UPDATE passkeys SET name = @name WHERE id = @id AND user_id = @userId", new { userId, id, name }) == 1;
    }

    /// <summary>The removed passkey's name; null when the user has no such passkey.</summary>
    public async Task<string?> RemoveAsync(Guid userId, Guid id)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<string>("DELETE FROM passkeys WHERE id = @id AND user_id = @userId RETURNING name", new { userId, id });
    }

    /// <summary>Removes every passkey of the user (the Account Manager's "Reset second factors"); how many there were.</summary>
    public async Task<int> RemoveAllAsync(Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("DELETE FROM passkeys WHERE user_id = @userId", new { userId });
    }
}
