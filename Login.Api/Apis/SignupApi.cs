using System.Globalization;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Signup;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Apis;

public sealed record SignupAccepted(string Message);

public sealed record SignupConfirmRequest(string? Token);

public sealed record SignupConfirmed(string Message, string Next);

/// <summary>
/// Self-service sign-up beside the <c>/signup</c> page, with the same rules: a company creates its account and
/// first Account Manager, pending until the emailed link is used. Off (404) unless <c>Signup:Enabled</c>.
/// </summary>
public static class SignupApi
{
    public const string TakenProblemType = "https://access-platform/problems/signup-taken";
    public const string InvalidLinkProblemType = "https://access-platform/problems/invalid-activation-link";

    /// <summary>Where the first sign-in lands: Users &amp; Teams with the "next steps" box.</summary>
    public const string FirstSignInPath = "/admin/users?welcome=1";

    public static IEndpointRouteBuilder MapSignupApi(this IEndpointRouteBuilder app)
    {
        var signup = app.MapGroup("/api/signup").WithTags("Sign-up").AddEndpointFilter<SignupEnabledFilter>();
        signup.MapPost("", SignUp).WithName("SignUp").ProducesProblemTypes(409, "signup-taken")
            .WithSummary("Creates a pending account and its first Account Manager, and emails the activation link.");
        signup.MapPost("/confirm", Confirm).WithName("ConfirmSignup").ProducesProblemTypes(400, "invalid-activation-link").WithSummary("Activates a pending account with the emailed token (single use).");
        return app;
    }

    public static async Task<Results<Accepted<SignupAccepted>, ValidationProblem, ProblemHttpResult>> SignUp(
        SignupRequest request, Signups signups, HttpContext http, IStringLocalizer<SignupResource> text, IOptions<SignupOptions> options)
    {
        SignupOutcome outcome;
        try
        {
            outcome = await signups.SignUpAsync(request, CultureInfo.CurrentUICulture.Name, http.Connection.RemoteIpAddress?.ToString());
        }
        catch (HashingCapacityExceededException)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: "Busy", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return outcome switch
        {
            SignupOutcome.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors, title: text["Err_Invalid"]),
            SignupOutcome.Taken taken => TakenProblem(taken, text),
            _ => TypedResults.Accepted((string?)null, new SignupAccepted(SentMessage(text, options.Value))),
        };
    }

    public static async Task<Results<Ok<SignupConfirmed>, ProblemHttpResult>> Confirm(
        SignupConfirmRequest request, Signups signups, HttpContext http, IStringLocalizer<SignupResource> text) =>
        await signups.ConfirmAsync(request.Token, http.Connection.RemoteIpAddress?.ToString())
            ? TypedResults.Ok(new SignupConfirmed(text["Confirm_Done"], "/login?ReturnUrl=" + Uri.EscapeDataString(FirstSignInPath)))
            : TypedResults.Problem(title: text["Confirm_Invalid"], statusCode: StatusCodes.Status400BadRequest, type: InvalidLinkProblemType);

    /// <summary>409 with the taken fields in <c>errors</c>, like a validation problem.</summary>
    public static ProblemHttpResult TakenProblem(SignupOutcome.Taken taken, IStringLocalizer<SignupResource> text) =>
        TypedResults.Problem(new HttpValidationProblemDetails(taken.Errors)
        {
            Status = StatusCodes.Status409Conflict, Title = text["Err_Invalid"], Type = TakenProblemType,
        });

    public static string SentMessage(IStringLocalizer<SignupResource> text, SignupOptions options) =>
        text["Signup_Sent", options.ActivationLifetimeHours];
}
