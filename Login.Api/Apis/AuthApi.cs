using System.Globalization;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record SessionView(Guid UserId, string Username, string Account, string[] Roles, string Language,
    DateTime CreatedAt, DateTime LastSeenAt, DateTime AbsoluteExpiresAt);

public sealed record LoginResponse(string Status, SessionView? Session = null, string? FlowId = null);

public sealed record SessionListItem(string Id, string Device, string? Ip, DateTime CreatedAt, DateTime LastSeenAt, bool Current);

/// <summary>The JSON login API for clients: the same flow as the login page.</summary>
public static class AuthApi
{
    public const int MaxUsernameLength = 256;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapPost("/login", Login).WithName("Login").WithSummary("Password login; answers with the session or the next step.");
        auth.MapPost("/logout", Logout).WithName("Logout").RequireAuthorization();
        auth.MapGet("/session", GetSession).WithName("GetSession").RequireAuthorization();
        auth.MapGet("/sessions", ListSessions).WithName("ListSessions").RequireAuthorization();
        auth.MapDelete("/sessions/{id}", EndSession).WithName("EndSession").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<LoginResponse>, ProblemHttpResult, ValidationProblem>> Login(
        LoginRequest request, LoginFlow flow, SessionCookie cookie, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        LoginOutcome outcome;
        try
        {
            outcome = await flow.StartAsync(request.Username!, request.Password!, http);
        }
        catch (HashingCapacityExceededException)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: text["Login_Busy"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return ToResult(outcome, cookie, http, text);
    }

    internal static Results<Ok<LoginResponse>, ProblemHttpResult, ValidationProblem> ToResult(
        LoginOutcome outcome, SessionCookie cookie, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        switch (outcome)
        {
            case LoginOutcome.SignedIn signedIn:
                http.Response.Cookies.Append(cookie.Name, signedIn.SecretId, cookie.Options);
                return TypedResults.Ok(new LoginResponse("signed-in", View(signedIn.Session)));
            case LoginOutcome.SecondFactorRequired challenge:
                return TypedResults.Ok(new LoginResponse("second-factor-required", FlowId: challenge.FlowId));
            case LoginOutcome.NoWebAccess:
                return TypedResults.Problem(title: text["Login_NoWebAccess"], statusCode: StatusCodes.Status403Forbidden,
                    type: "https://access-platform/problems/no-web-access");
            case LoginOutcome.TooManyFailures tooMany:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: text["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return TypedResults.Problem(title: text["Login_InvalidCredentials"], statusCode: StatusCodes.Status401Unauthorized,
                    type: "https://access-platform/problems/invalid-credentials");
        }
    }

    private static ValidationProblem? Validate(LoginRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Username))
        {
            errors["username"] = ["Required."];
        }
        else if (request.Username.Length > MaxUsernameLength)
        {
            errors["username"] = [$"At most {MaxUsernameLength} characters."];
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Required."];
        }
        else if (request.Password.Length > 4 * 128)
        {
            // Far beyond any accepted password: refused before it costs a hash.
            errors["password"] = ["Too long."];
        }
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    public static async Task<NoContent> Logout(HttpContext http, SessionStore sessions, SessionCookie cookie)
    {
        await sessions.EndAsync(http.User.UserIdOf(), http.User.SessionHandleOf());
        http.Response.Cookies.Delete(cookie.Name, cookie.Options);
        return TypedResults.NoContent();
    }

    public static Ok<SessionView> GetSession(HttpContext http) =>
        TypedResults.Ok(View((Session)http.Items[typeof(Session)]!));

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

    private static SessionView View(Session s) =>
        new(s.UserId, s.Username, s.AccountKey, s.Roles, s.Language, s.CreatedAt, s.LastSeenAt, s.AbsoluteExpiresAt);
}
