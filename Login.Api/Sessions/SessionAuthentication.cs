using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Sessions;

public static class SessionClaims
{
    public const string Scheme = "session";
    public const string UserId = ClaimTypes.NameIdentifier;
    public const string AccountId = "account_id";
    public const string AccountKey = "account";
    public const string Language = "lang";
    public const string Handle = "session_handle";

    public static Guid UserIdOf(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(UserId)!);

    public static Guid AccountIdOf(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(AccountId)!);

    public static string SessionHandleOf(this ClaimsPrincipal user) => user.FindFirstValue(Handle)!;
}

/// <summary>The session cookie: opaque id only; HttpOnly, SameSite=Lax, Secure (and <c>__Host-</c>) outside dev.</summary>
public sealed class SessionCookie(IHostEnvironment environment)
{
    public string Name { get; } = AccessPlatform.Contracts.SsoBridge.SessionCookieName(environment.IsDevelopment());

    public CookieOptions Options => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };
}

/// <summary>Authenticates requests by the session cookie against the server-side store.</summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SessionStore sessions, SessionCookie cookie)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(cookie.Name, out var secret) || string.IsNullOrEmpty(secret))
        {
            return AuthenticateResult.NoResult();
        }
        Session? session;
        try
        {
            session = await sessions.ValidateAsync(secret);
        }
        catch (Exception ex) when (DependencyUnavailableException.DependencyOf(ex) is not null)
        {
            // The session store is down: the request goes on as anonymous (the login page still renders), the cookie
            // stays, and anything that needs the session answers 503 from the challenge below, never 401.
            Context.Items[typeof(DependencyUnavailableException)] = ex;
            return AuthenticateResult.NoResult();
        }
        if (session is null)
        {
            Response.Cookies.Delete(cookie.Name, cookie.Options);
            return AuthenticateResult.NoResult();
        }
        Context.Items[typeof(Session)] = session;
        var identity = new ClaimsIdentity(
        [
            new Claim(SessionClaims.UserId, session.UserId.ToString()),
            new Claim(ClaimTypes.Name, session.Username),
            new Claim(SessionClaims.AccountId, session.AccountId.ToString()),
            new Claim(SessionClaims.AccountKey, session.AccountKey),
            new Claim(SessionClaims.Language, session.Language),
            new Claim(SessionClaims.Handle, session.Handle),
            .. session.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
        ], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>APIs answer 401 problem+json; pages send the browser to the login page.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[typeof(DependencyUnavailableException)] is Exception unavailable)
        {
            // A signed-in user whose session could not be read is not signed out: 503 (the exception handler's answer).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unavailable);
        }
        if (Request.Path.StartsWithSegments("/api"))
        {
            await TypedResults.Problem(title: "Not signed in", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
            return;
        }
        var returnUrl = Request.PathBase + Request.Path + Request.QueryString;
        Response.Redirect($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await TypedResults.Problem(title: "Forbidden", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
}
