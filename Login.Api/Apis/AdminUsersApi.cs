using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

public sealed record AdminUserView(Guid Id, string Username, string Email, string? Phone, string Language, string[] Roles, bool WebAccess,
    string Status, bool Locked, int FailedAttempts);

/// <summary>
/// Users &amp; Teams for Account Managers. Every query is scoped to the caller's own account: another account's user
/// id answers 404, the same as an id that does not exist.
/// </summary>
public static class AdminUsersApi
{
    public const string Policy = "account-manager";

    public static IEndpointRouteBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Users & Teams").RequireAuthorization(Policy);
        admin.MapGet("/users", ListUsers).WithName("ListUsers");
        admin.MapGet("/users/{id:guid}", GetUser).WithName("GetUser");
        admin.MapPost("/users/{id:guid}/unlock", Unlock).WithName("UnlockUser");
        admin.MapPost("/users/{id:guid}/sessions/end", EndSessions).WithName("EndUserSessions");
        admin.MapPost("/users/{id:guid}/devices/revoke", RevokeDevices).WithName("RevokeUserDevices");
        admin.MapPost("/notifications/test", OpsApi.SendTestNotification).WithName("SendTestNotification");
        admin.MapGet("/audit", (HttpContext http, AuditLog audit, Guid? userId, int limit = 100) =>
            audit.ListAsync(http.User.AccountIdOf(), userId, Math.Clamp(limit, 1, 1000))).WithName("ListAuditEvents");
        return app;
    }

    public static async Task<Ok<AdminUserView[]>> ListUsers(HttpContext http, UserStore users, TimeProvider clock, string? search, int page = 1, int pageSize = 50)
    {
        pageSize = Math.Clamp(pageSize, 1, 200);
        page = Math.Max(1, page);
        var list = await users.ListInAccountAsync(http.User.AccountIdOf(), string.IsNullOrWhiteSpace(search) ? null : search.Trim(), (page - 1) * pageSize, pageSize);
        return TypedResults.Ok(list.Select(u => View(u, clock)).ToArray());
    }

    public static async Task<Results<Ok<AdminUserView>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> GetUser(Guid id, HttpContext http, UserStore users, TimeProvider clock) =>
        await users.FindInAccountAsync(http.User.AccountIdOf(), id) is { } user ? TypedResults.Ok(View(user, clock)) : NotFound();

    public static async Task<Results<NoContent, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> Unlock(Guid id, HttpContext http, UserStore users, AuditLog audit, TimeProvider clock)
    {
        var accountId = http.User.AccountIdOf();
        if (!await users.UnlockAsync(accountId, id, clock.GetUtcNow().UtcDateTime))
        {
            return NotFound();
        }
        await audit.RecordAsync(AuditEvents.Unlocked, accountId, id, actorId: http.User.UserIdOf(), ip: http.Connection.RemoteIpAddress?.ToString());
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<int>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> EndSessions(Guid id, HttpContext http, UserStore users, SessionStore sessions, AuditLog audit)
    {
        var accountId = http.User.AccountIdOf();
        if (await users.FindInAccountAsync(accountId, id) is null)
        {
            return NotFound();
        }
        var ended = await sessions.EndAllAsync(id);
        await audit.RecordAsync(AuditEvents.SessionRevoked, accountId, id, "admin-ended-all", http.User.UserIdOf());
        return TypedResults.Ok(ended);
    }

    public static async Task<Results<Ok<int>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> RevokeDevices(Guid id, HttpContext http, UserStore users,
        Devices.TrustedDeviceStore devices, AuditLog audit, TimeProvider clock)
    {
        var accountId = http.User.AccountIdOf();
        if (await users.FindInAccountAsync(accountId, id) is null)
        {
            return NotFound();
        }
        var revoked = await devices.RevokeAllAsync(id, clock.GetUtcNow().UtcDateTime);
        await audit.RecordAsync(AuditEvents.DeviceRevoked, accountId, id, "admin-revoked-all", http.User.UserIdOf());
        return TypedResults.Ok(revoked);
    }

    private static NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails> NotFound() =>
        TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = "User not found", Status = 404 });

    private static AdminUserView View(User u, TimeProvider clock) =>
        new(u.Id, u.Username, u.Email, u.Phone, u.PreferredLanguage, u.Roles, u.WebAccess, u.Status,
            u.LockedUntil > clock.GetUtcNow().UtcDateTime, u.FailedAttempts);
}
