using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <summary>Enrolling and removing the signed-in user's authenticator app.</summary>
public static class AuthenticatorApi
{
    public static IEndpointRouteBuilder MapAuthenticatorApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth/authenticator").WithTags("Authenticator").RequireAuthorization();
        auth.MapPost("", BeginAuthenticator).WithName("BeginAuthenticatorEnrolment").WithSummary("Starts enrolling an authenticator app.");
        auth.MapPost("/confirm", ConfirmAuthenticator).WithName("ConfirmAuthenticator").WithSummary("Confirms the enrolment with a first code.");
        auth.MapDelete("", RemoveAuthenticator).WithName("RemoveAuthenticator").WithSummary("Removes the authenticator app.");
        return app;
    }

    public static async Task<Ok<Authenticator.Enrolment>> BeginAuthenticator(HttpContext http, Authenticator authenticator) =>
        TypedResults.Ok(await authenticator.BeginAsync(http.User.UserIdOf(), http.User.Identity!.Name!));

    public static async Task<Results<NoContent, ProblemHttpResult>> ConfirmAuthenticator(VerifyCodeRequest request, HttpContext http,
        Authenticator authenticator, Audit.AuditLog audit, IStringLocalizer<SharedResource> text)
    {
        if (!await authenticator.ConfirmAsync(http.User.UserIdOf(), request.Code))
        {
            return TypedResults.Problem(title: text["Otp_Invalid"], statusCode: StatusCodes.Status400BadRequest);
        }
        await audit.RecordAsync(Audit.AuditEvents.AuthenticatorEnrolled, http.User.AccountIdOf(), http.User.UserIdOf(), ip: http.Connection.RemoteIpAddress?.ToString());
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RemoveAuthenticator(HttpContext http, Authenticator authenticator, Audit.AuditLog audit)
    {
        await authenticator.RemoveAsync(http.User.UserIdOf());
        await audit.RecordAsync(Audit.AuditEvents.AuthenticatorRemoved, http.User.AccountIdOf(), http.User.UserIdOf(), ip: http.Connection.RemoteIpAddress?.ToString());
        return TypedResults.NoContent();
    }
}
