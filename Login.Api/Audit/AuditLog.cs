using System.Diagnostics;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Audit;

/// <summary>Security event types, as stored (stable strings, documented in docs/operations.md).</summary>
public static class AuditEvents
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string SecondFactorLockout = "login.second-factor-lockout";
    public const string Unlocked = "user.unlocked";
    public const string LoggedOut = "session.ended";
    public const string SessionRevoked = "session.revoked";
    public const string SecondFactorRequired = "2fa.challenge";
    public const string SecondFactorSent = "2fa.sent";
    public const string SecondFactorPassed = "2fa.passed";
    public const string SecondFactorFailed = "2fa.failed";
    public const string DeviceTrusted = "device.trusted";
    public const string AuthenticatorEnrolled = "2fa.authenticator_enrolled";
    public const string AuthenticatorRemoved = "2fa.authenticator_removed";
    public const string DeviceRevoked = "device.revoked";
    public const string PasswordResetRequested = "password.reset_requested";
    public const string PasswordResetCompleted = "password.reset_completed";
    public const string UserInvited = "user.invited";
    public const string UserCreated = "admin.user_created";
    public const string UserUpdated = "admin.user_updated";
    public const string UserDisabled = "admin.user_disabled";
    public const string UserEnabled = "admin.user_enabled";
    public const string AccountPolicyChanged = "admin.account_policy_changed";
    public const string TeamCreated = "admin.team_created";
    public const string TeamMemberAdded = "admin.team_member_added";
    public const string TeamMemberRemoved = "admin.team_member_removed";
    public const string AuthenticatorReplaced = "2fa.authenticator_replaced";
    public const string Reauthenticated = "session.reauthenticated";
    public const string ReauthenticationFailed = "session.reauthentication_failed";
    public const string RecoveryCodesGenerated = "2fa.recovery_codes_generated";
    public const string RecoveryCodeUsed = "2fa.recovery_code_used";
    public const string SecondFactorsReset = "admin.second_factors_reset";
    public const string PasskeyAdded = "passkey.added";
    public const string PasskeyRenamed = "passkey.renamed";
    public const string PasskeyRemoved = "passkey.removed";
    public const string PasskeyRefused = "passkey.refused";
    public const string PasskeyCloneSuspected = "passkey.clone_suspected";
    public const string AuditExported = "admin.audit_exported";
}

/// <summary>What the audit page and API may filter by; all optional except the account.</summary>
public sealed record AuditQuery(Guid AccountId, Guid? UserId = null, string? Type = null, DateTime? From = null, DateTime? To = null,
    int Offset = 0, int Limit = 100);

/// <summary>
/// Appends security events to <c>audit_events</c> (append-only by trigger) with the current trace id, so an
/// event leads to its trace in the dashboard. Reason codes only: never a password, code or token.
/// </summary>
public sealed record AuditEvent(long Id, DateTime OccurredAt, Guid? UserId, Guid? ActorId, string Type, string? Reason, string? Ip, string? TraceId);

public sealed class AuditLog(NpgsqlDataSource db, Telemetry.LoginMetrics metrics)
{
    /// <summary>Events that are also metrics are counted where every path records them: here.</summary>
    private void Count(string type, string? reason)
    {
        switch (type)
        {
            case AuditEvents.PasswordResetRequested: metrics.ResetRequested(); break;
            case AuditEvents.PasswordResetCompleted: metrics.ResetCompleted(); break;
            case Sso.SsoAuditEvents.Succeeded: metrics.SsoLogin("success"); break;
            case Sso.SsoAuditEvents.Refused: metrics.SsoLogin(reason ?? "refused"); break;
        }
    }

    /// <summary>The newest events of one account, optionally of one user.</summary>
    public Task<IReadOnlyList<AuditEvent>> ListAsync(Guid accountId, Guid? userId, int limit) =>
        ListAsync(new AuditQuery(accountId, userId, Limit: limit));

    /// <summary>Events of one account, newest first; the type filter matches a prefix ("admin." gives every admin action).</summary>
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(AuditQuery query)
    {
        await using var connection = await db.OpenConnectionAsync();
        var events = await connection.QueryAsync<AuditEvent>("""
            SELECT id AS "Id", occurred_at AS "OccurredAt", user_id AS "UserId", actor_id AS "ActorId", type AS "Type", reason AS "Reason",
                   ip AS "Ip", trace_id AS "TraceId"
            FROM audit_events
            WHERE account_id = @AccountId AND (@UserId::uuid IS NULL OR user_id = @UserId)
              AND (@Type::text IS NULL OR type = @Type OR (right(@Type, 1) = '.' AND starts_with(type, @Type)))
              AND (@From::timestamptz IS NULL OR occurred_at >= @From) AND (@To::timestamptz IS NULL OR occurred_at < @To)
            ORDER BY id DESC OFFSET @Offset LIMIT @Limit
            """, query);
        return events.AsList();
    }

    /// <summary>
    /// The events of <see cref="ListAsync(AuditQuery)"/>'s filters, newest first, read as they are written out (no
    /// buffering of the whole export), with the names of user and actor from the same account only.
    /// </summary>
    public async IAsyncEnumerable<AuditExportRow> ExportAsync(AuditQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = connection.QueryUnbufferedAsync<AuditExportRow>("""
            SELECT e.id AS "Id", e.occurred_at AS "OccurredAt", e.type AS "Type", e.user_id AS "UserId", u.username AS "Username",
                   nullif(concat_ws(' ', u.given_name, u.family_name), '') AS "UserName", e.actor_id AS "ActorId", ac.username AS "ActorUsername",
                   e.reason AS "Reason", e.ip AS "Ip", e.trace_id AS "TraceId"
            FROM audit_events e
            LEFT JOIN users u ON u.id = e.user_id AND u.account_id = e.account_id
            LEFT JOIN users ac ON ac.id = e.actor_id AND ac.account_id = e.account_id
            WHERE e.account_id = @AccountId AND (@UserId::uuid IS NULL OR e.user_id = @UserId)
              AND (@Type::text IS NULL OR e.type = @Type OR (right(@Type, 1) = '.' AND starts_with(e.type, @Type)))
              AND (@From::timestamptz IS NULL OR e.occurred_at >= @From) AND (@To::timestamptz IS NULL OR e.occurred_at < @To)
            ORDER BY e.id DESC LIMIT @Limit
            """, query);
        await foreach (var row in rows.WithCancellation(ct))
        {
            yield return row;
        }
    }

    public async Task RecordAsync(string type, Guid? accountId, Guid? userId, string? reason = null, Guid? actorId = null, string? ip = null)
    {
        Count(type, reason);
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO audit_events (account_id, user_id, actor_id, type, reason, ip, trace_id)
            VALUES (@accountId, @userId, @actorId, @type, @reason, @ip, @traceId)
            """, new { accountId, userId, actorId, type, reason, ip, traceId = Activity.Current?.TraceId.ToString() });
    }
}
