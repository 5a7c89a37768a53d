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
    public const string Unlocked = "user.unlocked";
    public const string LoggedOut = "session.ended";
    public const string SessionRevoked = "session.revoked";
}

/// <summary>
/// Appends security events to <c>audit_events</c> (append-only by trigger) with the current trace id, so an
/// event leads to its trace in the dashboard. Reason codes only: never a password, code or token.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db)
{
    public async Task RecordAsync(string type, Guid? accountId, Guid? userId, string? reason = null, Guid? actorId = null, string? ip = null)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO audit_events (account_id, user_id, actor_id, type, reason, ip, trace_id)
            VALUES (@accountId, @userId, @actorId, @type, @reason, @ip, @traceId)
            """, new { accountId, userId, actorId, type, reason, ip, traceId = Activity.Current?.TraceId.ToString() });
    }
}
