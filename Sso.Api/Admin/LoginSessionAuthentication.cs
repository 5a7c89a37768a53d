using System.Security.Claims;
using System.Text.Encodings.Web;
using AccessPlatform.Sso.Login;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Sso.Admin;

public static class AdminClaims
{
    public const string Scheme = "login-session";
    public const string Policy = "account-manager";
    public const string AccountManager = "AccountManager";
    public const string Account = "account";

    /// <summary>Present when Login.Api says the session proved the user within its re-authentication window (5 minutes).</summary>
    public const string RecentlyAuthenticated = "recent-auth";

    public const string ReauthenticationProblemType = "https://access-platform/problems/reauthentication-required";
    public const string ReauthenticationPage = "/account/reauthenticate";

    public static string AccountOf(this ClaimsPrincipal user) => user.FindFirstValue(Account)!;

    public static Guid UserIdOf(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public static bool IsRecentlyAuthenticated(this ClaimsPrincipal user) => user.HasClaim(RecentlyAuthenticated, "true");
}

/// <summary>
/// Authenticates by asking Login.Api, which owns sessions: the caller's session cookie is forwarded to
/// <c>GET /api/auth/session</c>, and the answer (user, account, roles) becomes the principal.
/// </summary>
public sealed class LoginSessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LoginApiBridge loginApi, IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var cookieName = AccessPlatform.Contracts.SsoBridge.SessionCookieName(environment.IsDevelopment());
        if (!Request.Cookies.TryGetValue(cookieName, out var secret) || string.IsNullOrEmpty(secret) || secret.Length > 64)
        {
            return AuthenticateResult.NoResult();
        }
        var session = await loginApi.GetSessionAsync(cookieName, secret, Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.NoResult();
        }
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, session.UserId.ToString()),
            new Claim(ClaimTypes.Name, session.Username),
            new Claim(AdminClaims.Account, session.Account),
            .. session.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
            .. session.RecentlyAuthenticated == true ? [new Claim(AdminClaims.RecentlyAuthenticated, "true")] : Array.Empty<Claim>(),
        ], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>APIs answer 401 problem+json; pages send the browser to the login page.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Request.Path.StartsWithSegments("/api"))
        {
            await TypedResults.Problem(title: "Not signed in", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
            return;
        }
        Response.Redirect($"/login?returnUrl={Uri.EscapeDataString(Request.PathBase + Request.Path)}");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await TypedResults.Problem(title: "Forbidden", detail: "Only Account Managers configure single sign-on.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
}
