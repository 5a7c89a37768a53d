using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

public sealed record SessionListItem(string Id, string Device, string? Ip, DateTime CreatedAt, DateTime LastSeenAt, bool Current);

/// <summary>The signed-in user's sessions: the current one, the list, ending one, signing out.</summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sessions").RequireAuthorization();
        auth.MapPost("/logout", Logout).WithName("Logout").WithSummary("Ends the current session.");
        auth.MapGet("/session", GetSession).WithName("GetSession").WithSummary("The current session.");
        auth.MapGet("/sessions", ListSessions).WithName("ListSessions").WithSummary("The user's live sessions.");
        auth.MapDelete("/sessions/{id}", EndSession).WithName("EndSession").WithSummary("Ends one of the user's sessions.");
        return app;
    }

    public static async Task<NoContent> Logout(HttpContext http, SessionStore sessions, SessionCookie cookie)
    {
        await sessions.EndAsync(http.User.UserIdOf(), http.User.SessionHandleOf());
        http.Response.Cookies.Delete(cookie.Name, cookie.Options);
        return TypedResults.NoContent();
    }

    public static Ok<SessionView> GetSession(HttpContext http) =>
        TypedResults.Ok(AuthApi.View((Session)http.Items[typeof(Session)]!));

    public static async Task<Ok<SessionListItem[]>> ListSessions(HttpContext http, SessionStore sessions)
    {
        var current = http.User.SessionHandleOf();
        var list = await sessions.ListAsync(http.User.UserIdOf());
        return TypedResults.Ok(list.Select(s => new SessionListItem(s.Handle, s.DeviceLabel, s.Ip, s.CreatedAt, s.LastSeenAt, s.Handle == current)).ToArray());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EndSession(string id, HttpContext http, SessionStore sessions) =>
        await sessions.EndAsync(http.User.UserIdOf(), id)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "Session not found", statusCode: StatusCodes.Status404NotFound);
}
