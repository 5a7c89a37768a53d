using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Data;

public sealed record Team(Guid Id, string Name, int Members);

/// <summary>Teams of one account. Every statement names the account, so another account's ids match nothing.</summary>
public sealed class TeamStore(NpgsqlDataSource db)
{
    public const int MaxNameLength = 100;

    /// <summary>Null when the account already has a team of that name.</summary>
    public async Task<Team?> CreateAsync(Guid accountId, string name)
    {
        await using var connection = await db.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<Guid?>("""
            INSERT INTO teams (id, account_id, name) VALUES (@id, @accountId, @name)
            ON CONFLICT (account_id, lower(name)) DO NOTHING RETURNING id
            """, new { id = Guid.CreateVersion7(), accountId, name });
        return id is { } created ? new Team(created, name, 0) : null;
    }

    public async Task<IReadOnlyList<Team>> ListAsync(Guid accountId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var teams = await connection.QueryAsync<Team>("""
            SELECT t.id AS "Id", t.name AS "Name", (SELECT count(*)::int FROM team_members m WHERE m.team_id = t.id) AS "Members"
            FROM teams t WHERE t.account_id = @accountId ORDER BY lower(t.name)
            """, new { accountId });
        return teams.AsList();
    }

    public async Task<IReadOnlyList<Team>> ListOfUserAsync(Guid accountId, Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var teams = await connection.QueryAsync<Team>("""
            SELECT t.id AS "Id", t.name AS "Name", 0 AS "Members"
            FROM teams t JOIN team_members m ON m.team_id = t.id
            WHERE t.account_id = @accountId AND m.user_id = @userId ORDER BY lower(t.name)
            """, new { accountId, userId });
        return teams.AsList();
    }

    /// <summary>False when the team or the user is not in the account. Adding twice is fine.</summary>
    public async Task<bool> AddMemberAsync(Guid accountId, Guid teamId, Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var inserted = await connection.ExecuteScalarAsync<bool?>("""
            INSERT INTO team_members (team_id, user_id)
            SELECT t.id, u.id FROM teams t JOIN users u ON u.account_id = t.account_id
            WHERE t.id = @teamId AND u.id = @userId AND t.account_id = @accountId
            ON CONFLICT DO NOTHING
            RETURNING true
            """, new { accountId, teamId, userId });
        return inserted == true || await IsMemberAsync(connection, accountId, teamId, userId);
    }

    /// <summary>False when the user was not a member of that team of the account.</summary>
    public async Task<bool> RemoveMemberAsync(Guid accountId, Guid teamId, Guid userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            DELETE FROM team_members m USING teams t
            WHERE m.team_id = t.id AND t.id = @teamId AND t.account_id = @accountId AND m.user_id = @userId
            """, new { accountId, teamId, userId }) == 1;
    }

    private static Task<bool> IsMemberAsync(NpgsqlConnection connection, Guid accountId, Guid teamId, Guid userId) =>
        connection.ExecuteScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id
                           WHERE t.id = @teamId AND t.account_id = @accountId AND m.user_id = @userId)
            """, new { accountId, teamId, userId });
}
