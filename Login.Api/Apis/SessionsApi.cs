using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

/// <param name="RedirectUrl">Where the browser continues to sign out at the IdP (single logout).</param>
public sealed record LogoutView(string RedirectUrl);

public sealed record SessionListItem(string Id, string Device, string? Ip, DateTime CreatedAt, DateTime LastSeenAt, bool Current);

/// <summary>The signed-in user's sessions: the current one, the list, ending one, signing out.</summary>
public static class SessionsApi
{
    /// <summary>The total behind a page of <c>GET /api/auth/sessions</c>.</summary>
    public const string TotalCountHeader = "X-Total-Count";

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sessions").RequireAuthorization();
        auth.MapPost("/logout", Logout).WithName("Logout")
            .WithSummary("Ends the current session; for an SSO session whose IdP takes single logout, 200 with the redirectUrl that signs out at the IdP too.");
        auth.MapGet("/session", GetSession).WithName("GetSession").WithSummary("The current session.");
        auth.MapGet("/sessions", ListSessions).WithName("ListSessions")
            .WithSummary($"The user's live sessions, newest first, {SessionStore.PageSize} a page (?page=1..); the total in X-Total-Count.");
        auth.MapDelete("/sessions/{id}", EndSession).WithName("EndSession").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Ends one of the user's sessions.");
        return app;
    }

    public static async Task<Results<NoContent, Ok<LogoutView>>> Logout(HttpContext http, SessionStore sessions, SessionCookie cookie, AuditLog audit,
        SsoLogoutTickets tickets)
    {
        var next = await EndCurrentAsync(http, sessions, audit, tickets);
        http.Response.Cookies.Delete(cookie.Name, cookie.Options);
        return next is null ? TypedResults.NoContent() : TypedResults.Ok(new LogoutView(next));
    }

    /// <summary>
    /// The logout of the API and of the page: the session ends on the server and the audit says so. For a session that
    /// came from SSO, the path that continues with single logout at the IdP (Sso.Api decides whether the IdP takes it).
    /// </summary>
    public static async Task<string?> EndCurrentAsync(HttpContext http, SessionStore sessions, AuditLog audit, SsoLogoutTickets tickets)
    {
        if (await sessions.EndAsync(http.User.UserIdOf(), http.User.SessionHandleOf()))
        {
            await audit.RecordAsync(AuditEvents.LoggedOut, http.User.AccountIdOf(), http.User.UserIdOf(), "logout",
                http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString());
            // Ended first: whatever the IdP does next, the platform session is gone.
            if (http.Items[typeof(Session)] is Session session)
            {
                return await tickets.IssueAsync(session);
            }
        }
        return null;
    }

    public static async Task<Ok<SessionView>> GetSession(HttpContext http, RecentAuthentication recent) =>
        TypedResults.Ok(AuthApi.View((Session)http.Items[typeof(Session)]!) with { RecentlyAuthenticated = await recent.IsRecentAsync(http) });

    public static async Task<Results<Ok<SessionListItem[]>, ProblemHttpResult>> ListSessions(HttpContext http, SessionStore sessions, int? page)
    {
        if (page is < 1 or > 1000)
        {
            return TypedResults.Problem(title: "page must be between 1 and 1000.", statusCode: StatusCodes.Status400BadRequest);
        }
        var current = http.User.SessionHandleOf();
        var list = await sessions.ListAsync(http.User.UserIdOf(), page ?? 1);
        http.Response.Headers[TotalCountHeader] = list.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(list.Items.Select(s => new SessionListItem(s.Handle, s.DeviceLabel, s.Ip, s.CreatedAt, s.LastSeenAt, s.Handle == current)).ToArray());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EndSession(string id, HttpContext http, SessionStore sessions, AuditLog audit)
    {
        if (id.Length > 64 || !await sessions.EndAsync(http.User.UserIdOf(), id))
        {
            return TypedResults.Problem(title: "Session not found", statusCode: StatusCodes.Status404NotFound);
        }
        await audit.RecordAsync(AuditEvents.SessionRevoked, http.User.AccountIdOf(), http.User.UserIdOf(),
            id == http.User.SessionHandleOf() ? "logout" : "user-ended", http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString());
        return TypedResults.NoContent();
    }
}
