using Dapper;
using Npgsql;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// Encrypts authenticator secrets stored in plain text before <see cref="TotpSecretProtector"/> existed. SQL cannot
/// call Data Protection, so this runs at start-up after the schema migration instead of as a DbUp script. Idempotent:
/// each row is rewritten only while it still holds the plain value read, so replicas starting together do no harm.
/// It runs until no plain value is left, then is journaled in <c>startup_migrations</c> and never again: a plain
/// value written to the table later (planted by someone with write access) is neither encrypted nor accepted.
/// </summary>
public sealed partial class TotpSecretMigration(NpgsqlDataSource db, TotpSecretProtector protector, ILogger<TotpSecretMigration> logger)
{
    private sealed record PlainRow(Guid Id, string? TotpSecret, string? TotpPendingSecret);

    public const string Name = "totp-secret-encryption";

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM startup_migrations WHERE name = @Name)", new { Name }, cancellationToken: cancellationToken)))
        {
            protector.LegacyMigrated();
            return;
        }
        var rows = (await connection.QueryAsync<PlainRow>(new CommandDefinition("""
            SELECT id AS "Id", totp_secret AS "TotpSecret", totp_pending_secret AS "TotpPendingSecret" FROM users
            WHERE (totp_secret IS NOT NULL AND NOT starts_with(totp_secret, @prefix))
               OR (totp_pending_secret IS NOT NULL AND NOT starts_with(totp_pending_secret, @prefix))
            """, new { prefix = TotpSecretProtector.Prefix }, cancellationToken: cancellationToken))).AsList();
        foreach (var row in rows)
        {
            await Encrypt(connection, row.Id, "totp_secret", row.TotpSecret, cancellationToken);
            await Encrypt(connection, row.Id, "totp_pending_secret", row.TotpPendingSecret, cancellationToken);
        }
        var remaining = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT count(*) FROM users
            WHERE (totp_secret IS NOT NULL AND NOT starts_with(totp_secret, @prefix))
               OR (totp_pending_secret IS NOT NULL AND NOT starts_with(totp_pending_secret, @prefix))
            """, new { prefix = TotpSecretProtector.Prefix }, cancellationToken: cancellationToken));
        if (remaining == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO startup_migrations (name) VALUES (@Name) ON CONFLICT (name) DO NOTHING", new { Name }, cancellationToken: cancellationToken));
            protector.LegacyMigrated();
        }
        LogMigrated(logger, rows.Count, remaining);
    }

    private async Task Encrypt(NpgsqlConnection connection, Guid id, string column, string? plain, CancellationToken cancellationToken)
    {
        if (plain is null || TotpSecretProtector.IsProtected(plain))
        {
            return;
        }
        // The column name is one of two constants above, never input.
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE users SET {column} = @protectedValue WHERE id = @id AND {column} = @plain",
            new { id, plain, protectedValue = protector.Protect(plain) }, cancellationToken: cancellationToken));
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Authenticator secrets encrypted at rest: {Count} users migrated, {Remaining} plain values left")]
    private static partial void LogMigrated(ILogger logger, int count, long remaining);
}
