using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Data;

/// <summary>Users and their lockout state in <c>login-db</c>. Every state change is one atomic statement.</summary>
public sealed class UserStore(NpgsqlDataSource db) : Flow.ILoginUsers
{
    static UserStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>The columns of <see cref="User"/>; also the lookup half of <see cref="LockoutStore.FindAndClaimPasswordAsync"/>.</summary>
    internal const string SelectUser = """
        SELECT u.id, u.account_id, a.key AS account_key, a.name AS account_name, u.username, u.email, u.phone, u.password_hash,
               u.preferred_language, u.roles, u.web_access,
               CASE WHEN a.status = 'active' THEN u.status ELSE 'disabled' END AS status,
               u.failed_attempts, u.locked_until, u.security_stamp, a.sso_enforced, u.otp_channel, u.totp_secret,
               a.second_factor_fallback,
               EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) AS has_passkey, a.passkey_policy,
               u.given_name, u.family_name, u.created_at, u.last_login_at, u.last_login_method, u.last_login_device
        FROM users u JOIN accounts a ON a.id = u.account_id
        """;

    public async Task<User?> FindByUsernameAsync(string username)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<User>($"{SelectUser} WHERE lower(u.username) = lower(@username)", new { username });
    }

    public async Task<User?> FindByIdAsync(Guid id)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<User>($"{SelectUser} WHERE u.id = @id", new { id });
    }

    public async Task<User?> FindInAccountAsync(Guid accountId, Guid id)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<User>($"{SelectUser} WHERE u.id = @id AND u.account_id = @accountId", new { id, accountId });
    }

    /// <summary>One page of the account's users for the admin list and how many match in all (<see cref="UserListSql"/>).</summary>
    public async Task<Admin.UserListPage> ListInAccountAsync(Guid accountId, Admin.UserListQuery query, DateTime now)
    {
        var parameters = new { accountId, prefix = query.Search, role = query.Role, webAccess = query.WebAccess, teamId = query.Team, now,
            offset = query.Offset, limit = query.PageSize };
        await using var connection = await db.OpenConnectionAsync();
        var total = await connection.ExecuteScalarAsync<int>(UserListSql.Count(query), parameters);
        var users = total <= query.Offset ? [] : (await connection.QueryAsync<User>(UserListSql.Page(query, SelectUser), parameters)).AsList();
        return new Admin.UserListPage(users, total);
    }

    /// <summary>The last successful sign-in, written with the session: when, how and on which device.</summary>
    public async Task RecordSignInAsync(Guid userId, string method, string device, DateTime at)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET last_login_at = @at, last_login_method = @method, last_login_device = left(@device, 200) WHERE id = @userId",
            new { userId, method, device, at });
    }

    /// <summary>Users a forgot-password request may mean: the username, or every user with that email (a few at most).</summary>
    public async Task<IReadOnlyList<User>> FindByUsernameOrEmailAsync(string usernameOrEmail)
    {
        await using var connection = await db.OpenConnectionAsync();
        var users = await connection.QueryAsync<User>(
            $"{SelectUser} WHERE lower(u.username) = lower(@value) OR lower(u.email) = lower(@value) ORDER BY u.id LIMIT 5",
            new { value = usernameOrEmail });
        return users.AsList();
    }

    /// <summary>
    /// A new password: new hash, new security stamp (voids reset links issued before), lockout cleared. Only while
    /// the stamp is still <paramref name="expectedStamp"/>, so a change that raced this one wins and this one fails.
    /// </summary>
    public async Task<bool> SetPasswordAsync(Guid userId, Guid expectedStamp, string newHash, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            UPDATE users SET password_hash = @newHash, security_stamp = @newStamp, failed_attempts = 0, consecutive_failures = 0, lockouts = 0,
                locked_until = NULL, updated_at = @now
            WHERE id = @userId AND security_stamp = @expectedStamp AND status = 'active'
            """, new { userId, expectedStamp, newHash, newStamp = Guid.NewGuid(), now }) == 1;
    }

    /// <summary>Creates a user; null when the username is taken (platform-wide, case-insensitive).</summary>
    public async Task<Guid?> InsertAsync(NewUser user)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid?>("""
            INSERT INTO users (id, account_id, username, email, phone, password_hash, preferred_language, roles, web_access, status, security_stamp)
            VALUES (@Id, @AccountId, @Username, @Email, @Phone, @PasswordHash, @PreferredLanguage, @Roles, @WebAccess, @Status, @SecurityStamp)
            ON CONFLICT (lower(username)) DO NOTHING
            RETURNING id
            """, user);
    }

    /// <summary>Writes the profile fields an Account Manager may edit; false when the user is not in the account.</summary>
    public async Task<bool> UpdateProfileAsync(Guid accountId, Guid userId, ProfileUpdate update, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            UPDATE users SET email = @Email, phone = @Phone, roles = @Roles, preferred_language = @PreferredLanguage,
                             web_access = @WebAccess, status = @Status, updated_at = @now
            WHERE id = @userId AND account_id = @accountId
            """, new { accountId, userId, update.Email, update.Phone, update.Roles, update.PreferredLanguage, update.WebAccess, update.Status, now }) == 1;
    }

    public async Task<bool> UnlockAsync(Guid accountId, Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            "UPDATE users SET failed_attempts = 0, consecutive_failures = 0, lockouts = 0, second_factor_failures = 0, locked_until = NULL, updated_at = @now WHERE id = @userId AND account_id = @accountId",
            new { userId, accountId, now }) == 1;
    }

    /// <summary>Stores a hash made with newer parameters; the stamp stays, since the password itself did not change.</summary>
    public async Task UpdatePasswordHashAsync(Guid userId, string oldHash, string newHash)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE users SET password_hash = @newHash WHERE id = @userId AND password_hash = @oldHash", new { userId, oldHash, newHash });
    }

    public async Task SetPreferredLanguageAsync(Guid userId, string language)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE users SET preferred_language = @language, updated_at = now() WHERE id = @userId", new { userId, language });
    }

    public async Task RememberOtpChannelAsync(Guid userId, string channel)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE users SET otp_channel = @channel WHERE id = @userId", new { userId, channel });
    }

    public async Task<Guid> EnsureAccountAsync(string key, string name)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO accounts (id, key, name) VALUES (@id, @key, @name)
            ON CONFLICT (key) DO UPDATE SET name = accounts.name
            RETURNING id
            """, new { id = Guid.CreateVersion7(), key, name });
    }

    /// <summary>Creates the user unless the username is taken; returns the id either way (idempotent seeding).</summary>
    public async Task<Guid> CreateAsync(NewUser user)
    {
        await using var connection = await db.OpenConnectionAsync();
        var existing = await connection.ExecuteScalarAsync<Guid?>("SELECT id FROM users WHERE lower(username) = lower(@Username)", user);
        if (existing is { } id)
        {
            return id;
        }
        return await connection.ExecuteScalarAsync<Guid>("""
            INSERT INTO users (id, account_id, username, email, phone, password_hash, preferred_language, roles, web_access, status, security_stamp)
            VALUES (@Id, @AccountId, @Username, @Email, @Phone, @PasswordHash, @PreferredLanguage, @Roles, @WebAccess, @Status, @SecurityStamp)
            ON CONFLICT (lower(username)) DO UPDATE SET updated_at = users.updated_at
            RETURNING id
            """, user);
    }
}

/// <summary>The editable profile, complete (the API's partial update is merged with the current values first).</summary>
public sealed record ProfileUpdate(string Email, string? Phone, string[] Roles, string PreferredLanguage, bool WebAccess, string Status);

public sealed record NewUser(
    Guid AccountId, string Username, string Email, string? Phone, string? PasswordHash, string PreferredLanguage, string[] Roles,
    bool WebAccess = true, string Status = "active")
{
    public Guid Id { get; } = Guid.CreateVersion7();
    public Guid SecurityStamp { get; } = Guid.NewGuid();
}
