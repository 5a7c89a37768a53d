using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <param name="Code">Six digits from the authenticator app.</param>
public sealed record AuthenticatorCodeRequest(string? Code);

/// <summary>
/// Enrolling, replacing and removing the signed-in user's authenticator app. Every route needs a recent
/// re-authentication (403 <c>reauthentication-required</c> otherwise, see <c>POST /api/auth/reauthenticate</c>).
/// Replacing: <c>POST /replace</c> with a code of the current app starts a new pending secret, <c>POST /confirm</c>
/// with a code of the new app swaps it in; until then the current app keeps working.
/// </summary>
public static class AuthenticatorApi
{
    public const string AlreadyEnrolledType = "https://access-platform/problems/authenticator-already-enrolled";
    public const string NotEnrolledType = "https://access-platform/problems/authenticator-not-enrolled";
    public const string WrongCodeType = "https://access-platform/problems/wrong-code";

    public static IEndpointRouteBuilder MapAuthenticatorApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth/authenticator").WithTags("Authenticator").RequireAuthorization().RequireRecentAuthentication();
        auth.MapPost("", BeginAuthenticator).WithName("BeginAuthenticatorEnrolment").ProducesProblemTypes(409, "authenticator-already-enrolled")
            .WithSummary("Starts enrolling an authenticator app: a new pending secret, valid 10 minutes.");
        auth.MapPost("/replace", ReplaceAuthenticator).WithName("ReplaceAuthenticator").ProducesProblemTypes(409, "authenticator-not-enrolled")
            .WithSummary("With a code of the current app, starts enrolling a new app that replaces it once confirmed.");
        auth.MapPost("/confirm", ConfirmAuthenticator).WithName("ConfirmAuthenticator").ProducesProblemTypes(400, "wrong-code").ProducesProblemTypes(409, "authenticator-not-enrolled")
            .WithSummary("Confirms the pending enrolment (or replacement) with a first code of the new app.");
        auth.MapDelete("", RemoveAuthenticator).WithName("RemoveAuthenticator").ProducesProblemTypes(400, "wrong-code").ProducesProblemTypes(409, "authenticator-not-enrolled").WithSummary("Removes the authenticator app.");
        return app;
    }

    public static async Task<Results<Ok<Authenticator.Enrolment>, ProblemHttpResult>> BeginAuthenticator(HttpContext http,
        AuthenticatorChanges changes, IStringLocalizer<SharedResource> text) =>
        await changes.BeginAsync(http.User.UserIdOf(), http.User.Identity!.Name!) is { } enrolment
            ? TypedResults.Ok(enrolment)
            : TypedResults.Problem(title: text["Totp_AlreadyEnrolled"], statusCode: StatusCodes.Status409Conflict, type: AlreadyEnrolledType);

    public static async Task<Results<Ok<Authenticator.Enrolment>, ProblemHttpResult, ValidationProblem>> ReplaceAuthenticator(
        AuthenticatorCodeRequest request, HttpContext http, AuthenticatorChanges changes, IStringLocalizer<SharedResource> text)
    {
        if (InvalidCode(request) is { } invalid)
        {
            return invalid;
        }
        switch (await changes.BeginReplacementAsync(http.User.UserIdOf(), http.User.Identity!.Name!, request.Code!, IpOf(http)))
        {
            case ReplacementResult.Started started:
                return TypedResults.Ok(started.Enrolment);
            case ReplacementResult.WrongCode:
                return TypedResults.Problem(title: text["Otp_Invalid"], statusCode: StatusCodes.Status400BadRequest, type: WrongCodeType);
            case ReplacementResult.Locked:
                return TypedResults.Problem(title: text["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return TypedResults.Problem(title: text["Totp_NotEnrolled"], statusCode: StatusCodes.Status409Conflict, type: NotEnrolledType);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ConfirmAuthenticator(AuthenticatorCodeRequest request,
        HttpContext http, AuthenticatorChanges changes, IStringLocalizer<SharedResource> text)
    {
        if (InvalidCode(request) is { } invalid)
        {
            return invalid;
        }
        return await changes.ConfirmAsync(http.User.UserIdOf(), request.Code, IpOf(http)) is null
            ? TypedResults.Problem(title: text["Otp_Invalid"], statusCode: StatusCodes.Status400BadRequest, type: WrongCodeType)
            : TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveAuthenticator(HttpContext http, AuthenticatorChanges changes,
        IStringLocalizer<SharedResource> text) =>
        await changes.RemoveAsync(http.User.UserIdOf(), IpOf(http))
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: text["Totp_NotEnrolled"], statusCode: StatusCodes.Status409Conflict, type: NotEnrolledType);

    /// <summary>Missing, oversized or non-numeric codes are refused before anything is read or counted.</summary>
    private static ValidationProblem? InvalidCode(AuthenticatorCodeRequest? request) =>
        Authenticator.IsWellFormed(request?.Code)
            ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Required, 6 digits."] });

    private static string? IpOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
