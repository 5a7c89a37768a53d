using AccessPlatform.Login.Data;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Signup;

/// <summary>A customer account to create with its first Account Manager.</summary>
/// <param name="Origin"><see cref="SignupAuditEvents.SelfService"/> (starts pending) or <see cref="SignupAuditEvents.Operator"/> (starts active).</param>
public sealed record NewAccount(string Key, string Name, string Origin, DateTime? TermsAcceptedAt)
{
    public Guid Id { get; } = Guid.CreateVersion7();

    public string Status => Origin == SignupAuditEvents.SelfService ? "pending" : "active";
}

public enum CreateAccountResult { Created, KeyTaken, UsernameTaken }

/// <summary>A user whose email address is the one a sign-up gave.</summary>
public sealed record EmailOwner(Guid UserId, Guid AccountId, string Username, string PreferredLanguage);

public sealed record ActivatedAccount(Guid AccountId, Guid UserId);

/// <summary>Accounts in <c>login-db</c> as sign-up and operators create them: account, manager and activation in one transaction.</summary>
public sealed class AccountStore(NpgsqlDataSource db)
{
    public async Task<(bool KeyTaken, bool UsernameTaken)> FindTakenAsync(string key, string username)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(bool, bool)>("""
            SELECT EXISTS (SELECT 1 FROM accounts WHERE key = @key),
                   EXISTS (SELECT 1 FROM users WHERE lower(username) = lower(@username))
            """, new { key, username });
    }

    public async Task<EmailOwner?> FindEmailOwnerAsync(string email)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QueryFirstOrDefaultAsync<EmailOwner>("""
            SELECT id AS "UserId", account_id AS "AccountId", username AS "Username", preferred_language AS "PreferredLanguage"
            FROM users WHERE lower(email) = lower(@email) ORDER BY created_at LIMIT 1
            """, new { email });
    }

    /// <summary>
    /// Creates the account and its manager, and for a pending account the activation token's hash, all or nothing.
    /// The unique indexes decide a race between two sign-ups for one key or username: the loser gets "taken".
    /// </summary>
    public async Task<CreateAccountResult> CreateAsync(NewAccount account, NewUser manager, string? activationHash, DateTime now, TimeSpan activationLifetime)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var accountId = await connection.ExecuteScalarAsync<Guid?>("""
            INSERT INTO accounts (id, key, name, status, origin, terms_accepted_at, created_at, activated_at)
            VALUES (@Id, @Key, @Name, @Status, @Origin, @TermsAcceptedAt, @now, CASE WHEN @Status = 'active' THEN @now END)
            ON CONFLICT (key) DO NOTHING
            RETURNING id
            """, new { account.Id, account.Key, account.Name, account.Status, account.Origin, account.TermsAcceptedAt, now }, transaction);
        if (accountId is null)
        {
            return CreateAccountResult.KeyTaken;
        }
        var userId = await connection.ExecuteScalarAsync<Guid?>("""
            INSERT INTO users (id, account_id, username, email, phone, password_hash, preferred_language, roles, web_access, status, security_stamp, created_at, updated_at)
            VALUES (@Id, @AccountId, @Username, @Email, @Phone, @PasswordHash, @PreferredLanguage, @Roles, @WebAccess, @Status, @SecurityStamp, @now, @now)
            ON CONFLICT (lower(username)) DO NOTHING
            RETURNING id
            """, new { manager.Id, manager.AccountId, manager.Username, manager.Email, manager.Phone, manager.PasswordHash, manager.PreferredLanguage,
                manager.Roles, manager.WebAccess, manager.Status, manager.SecurityStamp, now }, transaction);
        if (userId is null)
        {
            await transaction.RollbackAsync();
            return CreateAccountResult.UsernameTaken;
        }
        if (activationHash is not null)
        {
            await connection.ExecuteAsync("""
                INSERT INTO signup_activations (account_id, user_id, token_hash, created_at, expires_at)
                VALUES (@accountId, @userId, @activationHash, @now, @expiresAt)
                """, new { accountId, userId, activationHash, now, expiresAt = now + activationLifetime }, transaction);
        }
        await transaction.CommitAsync();
        return CreateAccountResult.Created;
    }

    /// <summary>
    /// Redeems an activation token: the row is deleted whether or not it is still valid (single use), and only a
    /// live token of a still-pending account activates it. Null for unknown, used or expired tokens.
    /// </summary>
    public async Task<ActivatedAccount?> ActivateAsync(string tokenHash, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var redeemed = await connection.QuerySingleOrDefaultAsync<(Guid AccountId, Guid UserId, bool Live)>("""
            DELETE FROM signup_activations WHERE token_hash = @tokenHash
            RETURNING account_id, user_id, expires_at > @now
            """, new { tokenHash, now }, transaction);
        if (redeemed == default || !redeemed.Live)
        {
            await transaction.CommitAsync();
            return null;
        }
        var activated = await connection.ExecuteAsync(
            "UPDATE accounts SET status = 'active', activated_at = @now WHERE id = @AccountId AND status = 'pending'",
            new { redeemed.AccountId, now }, transaction);
        await transaction.CommitAsync();
        return activated == 1 ? new ActivatedAccount(redeemed.AccountId, redeemed.UserId) : null;
    }

    /// <summary>Removes pending accounts created before <paramref name="createdBefore"/> with their users; returns what went.</summary>
    public async Task<IReadOnlyList<ActivatedAccount>> RemovePendingAsync(DateTime createdBefore)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var removed = (await connection.QueryAsync<ActivatedAccount>("""
            DELETE FROM users u USING accounts a
            WHERE u.account_id = a.id AND a.status = 'pending' AND a.created_at < @createdBefore
            RETURNING a.id AS "AccountId", u.id AS "UserId"
            """, new { createdBefore }, transaction)).AsList();
        // Accounts whose users went above, and any pending account left without users.
        await connection.ExecuteAsync(
            "DELETE FROM accounts a WHERE a.status = 'pending' AND a.created_at < @createdBefore AND NOT EXISTS (SELECT 1 FROM users u WHERE u.account_id = a.id)",
            new { createdBefore }, transaction);
        await transaction.CommitAsync();
        return removed;
    }
}
