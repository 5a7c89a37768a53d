using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Sessions;

/// <summary>
/// When an account starts enforcing SSO, its users' password sessions must end: every user but the Account Managers
/// (who keep a break-glass password login) gets a new security stamp, and their sessions are ended. The stamp is what
/// makes this hold against a password login in flight: its session carries the old stamp and ends at its first request.
/// Sessions started through SSO end too (the stamp does not tell them apart); their users sign in again through SSO.
/// </summary>
public sealed class SsoEnforcementRevocation(NpgsqlDataSource db, SessionStore sessions, AuditLog audit)
{
    /// <summary>Returns how many users had sessions ended.</summary>
    public async Task<int> EndPasswordSessionsAsync(Guid accountId)
    {
        IReadOnlyList<Guid> userIds;
        await using (var connection = await db.OpenConnectionAsync())
        {
            userIds = (await connection.QueryAsync<Guid>("""
                UPDATE users SET security_stamp = gen_random_uuid(), updated_at = now()
                WHERE account_id = @accountId AND NOT (roles @> ARRAY[@manager]::text[])
                RETURNING id
                """, new { accountId, manager = Roles.AccountManager })).AsList();
        }
        var users = 0;
        foreach (var userId in userIds)
        {
            if (await sessions.EndAllAsync(userId) > 0)
            {
                users++;
                await audit.RecordAsync(AuditEvents.SessionRevoked, accountId, userId, "sso-enforced");
            }
        }
        return users;
    }
}
