using AccessPlatform.Login.PasswordReset;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.AccountChanges;

public enum ContactKind { Email, Phone }

/// <summary>A change waiting for confirmation, as the profile page and the user's own page show it.</summary>
public sealed record PendingContactChange(ContactKind Kind, string NewValue, Guid? RequestedBy, DateTime CreatedAt, DateTime ExpiresAt);

/// <summary>What a redeemed link changed: the value before and after, and who asked.</summary>
public sealed record AppliedContactChange(Guid UserId, ContactKind Kind, string? OldValue, string NewValue, Guid? RequestedBy);

/// <summary>
/// Pending email and phone changes in <c>contact_changes</c> (one per user and kind; a new request replaces the old),
/// their single-use links (only the token's SHA-256 is stored, as for reset links), and the previous addresses.
/// </summary>
public sealed class ContactChangeStore(NpgsqlDataSource db)
{
    public async Task<string> IssueAsync(Guid userId, ContactKind kind, string newValue, Guid securityStamp, Guid? requestedBy, DateTime now, TimeSpan lifetime)
    {
        var token = ResetToken.New();
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO contact_changes (user_id, kind, new_value, token_hash, security_stamp, requested_by, created_at, expires_at)
            VALUES (@userId, @kind, @newValue, @hash, @securityStamp, @requestedBy, @now, @expiresAt)
            ON CONFLICT (user_id, kind) DO UPDATE SET new_value = @newValue, token_hash = @hash, security_stamp = @securityStamp,
                requested_by = @requestedBy, created_at = @now, expires_at = @expiresAt
            """, new { userId, kind = Name(kind), newValue, hash = ResetToken.HashOf(token), securityStamp, requestedBy, now, expiresAt = now + lifetime });
        return token;
    }

    /// <summary>The live pending changes of a user (expired ones are not shown; they cannot be confirmed).</summary>
    public async Task<IReadOnlyList<PendingContactChange>> PendingAsync(Guid userId, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<PendingRow>("""
            SELECT kind AS "Kind", new_value AS "NewValue", requested_by AS "RequestedBy", created_at AS "CreatedAt", expires_at AS "ExpiresAt"
            FROM contact_changes WHERE user_id = @userId AND expires_at > @now ORDER BY kind
            """, new { userId, now });
        return [.. rows.Select(r => new PendingContactChange(KindOf(r.Kind), r.NewValue, r.RequestedBy, r.CreatedAt, r.ExpiresAt))];
    }

    /// <summary>
    /// Uses the link up and, if it is live (not expired, the user's stamp unchanged, the user active), applies the
    /// change, all in one transaction; null for an unknown, used, expired or voided link (one answer for all).
    /// </summary>
    public async Task<AppliedContactChange?> RedeemAsync(string? token, DateTime now)
    {
        if (!ResetToken.IsWellFormed(token))
        {
            return null;
        }
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<RedeemRow>("""
            DELETE FROM contact_changes c USING users u
            WHERE c.token_hash = @hash AND u.id = c.user_id
            RETURNING c.user_id AS "UserId", c.kind AS "Kind", c.new_value AS "NewValue", c.requested_by AS "RequestedBy",
                      CASE WHEN c.kind = 'email' THEN u.email ELSE u.phone END AS "OldValue",
                      (c.expires_at > @now AND c.security_stamp = u.security_stamp AND u.status = 'active') AS "Usable"
            """, new { hash = ResetToken.HashOf(token!), now }, transaction);
        if (row is null || !row.Usable)
        {
            // The row is gone either way: a used or dead link stays dead.
            await transaction.CommitAsync();
            return null;
        }
        var kind = KindOf(row.Kind);
        await connection.ExecuteAsync(kind == ContactKind.Email
            ? "UPDATE users SET email = @value, updated_at = @now WHERE id = @userId"
            : "UPDATE users SET phone = @value, updated_at = @now WHERE id = @userId", new { value = row.NewValue, now, userId = row.UserId }, transaction);
        if (kind == ContactKind.Email && row.OldValue is { } old)
        {
            await InsertHistoryAsync(connection, transaction, row.UserId, old, now);
        }
        await transaction.CommitAsync();
        return new AppliedContactChange(row.UserId, kind, row.OldValue, row.NewValue, row.RequestedBy);
    }

    /// <summary>A phone number confirmed by code (the user's own change): written at once, any pending link for it voided.</summary>
    public async Task SetPhoneAsync(Guid userId, string phone, DateTime now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE users SET phone = @phone, updated_at = @now WHERE id = @userId;
            DELETE FROM contact_changes WHERE user_id = @userId AND kind = 'phone';
            """, new { userId, phone, now });
    }

    public async Task CancelAsync(Guid userId, ContactKind kind)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM contact_changes WHERE user_id = @userId AND kind = @kind", new { userId, kind = Name(kind) });
    }

    /// <summary>The address the user had before an email change within <paramref name="since"/>, newest first.</summary>
    public async Task<IReadOnlyList<string>> PreviousEmailsAsync(Guid userId, DateTime since)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<string>(
            "SELECT DISTINCT old_email FROM email_history WHERE user_id = @userId AND changed_at > @since LIMIT 5", new { userId, since });
        return rows.AsList();
    }

    private static Task InsertHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, string oldEmail, DateTime now) =>
        connection.ExecuteAsync("INSERT INTO email_history (user_id, old_email, changed_at) VALUES (@userId, @oldEmail, @now)",
            new { userId, oldEmail, now }, transaction);

    private static string Name(ContactKind kind) => kind == ContactKind.Email ? "email" : "phone";

    private static ContactKind KindOf(string name) => name == "email" ? ContactKind.Email : ContactKind.Phone;

    private sealed record PendingRow(string Kind, string NewValue, Guid? RequestedBy, DateTime CreatedAt, DateTime ExpiresAt);

    private sealed record RedeemRow(Guid UserId, string Kind, string NewValue, Guid? RequestedBy, string? OldValue, bool Usable);
}
