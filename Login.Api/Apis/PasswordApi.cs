using System.Diagnostics;
using AccessPlatform.Login.PasswordReset;
using AccessPlatform.Login.Passwords;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record ForgotPasswordRequest(string? UsernameOrEmail);

public sealed record ForgotPasswordResponse(string Message);

/// <param name="ConfirmPassword">Optional; when given it must equal <paramref name="NewPassword"/> (the page sends it).</param>
public sealed record ResetPasswordRequest(string? Token, string? NewPassword, string? ConfirmPassword = null);

public sealed record ResetPasswordResponse(string Message, string Next);

/// <summary>Forgot password and reset by link (ASVS 5.0 6.3.8, 6.4.x). Same rules as the pages.</summary>
public static class PasswordApi
{
    public static IEndpointRouteBuilder MapPasswordApi(this IEndpointRouteBuilder app)
    {
        var password = app.MapGroup("/api/auth/password").WithTags("Password reset");
        password.MapPost("/forgot", Forgot).WithName("ForgotPassword")
            .WithSummary("Sends a reset link if an account matches; always the same answer.");
        password.MapPost("/reset", Reset).WithName("ResetPassword").ProducesProblemTypes(400, "invalid-reset-link").WithSummary("Sets a new password with a reset or invitation link.");
        return app;
    }

    public static Results<Accepted<ForgotPasswordResponse>, ValidationProblem> Forgot(
        ForgotPasswordRequest request, ForgotPasswordQueue queue, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (string.IsNullOrWhiteSpace(request.UsernameOrEmail) || request.UsernameOrEmail.Length > AuthApi.MaxUsernameLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["usernameOrEmail"] = ["Required, at most 256 characters."] });
        }
        Enqueue(queue, request.UsernameOrEmail.Trim(), http);
        return TypedResults.Accepted((string?)null, new ForgotPasswordResponse(text["Forgot_Sent"]));
    }

    internal static void Enqueue(ForgotPasswordQueue queue, string usernameOrEmail, HttpContext http) =>
        queue.Enqueue(new ForgotRequest(usernameOrEmail, http.Connection.RemoteIpAddress?.ToString(), Activity.Current?.Id));

    public static async Task<Results<Ok<ResetPasswordResponse>, ValidationProblem, ProblemHttpResult>> Reset(
        ResetPasswordRequest request, PasswordResets resets, PasswordPolicy policy, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (string.IsNullOrEmpty(request.Token) || string.IsNullOrEmpty(request.NewPassword))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["Required."], ["newPassword"] = ["Required."] });
        }
        if (request.ConfirmPassword is not null && request.ConfirmPassword != request.NewPassword)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["confirmPassword"] = [text["Reset_Mismatch"]] },
                title: text["Reset_Mismatch"]);
        }
        switch (await resets.ResetAsync(request.Token, request.NewPassword, http.Connection.RemoteIpAddress?.ToString()))
        {
            case ResetOutcome.Changed:
                return TypedResults.Ok(new ResetPasswordResponse(text["Reset_Done"], "/login"));
            case ResetOutcome.Rejected rejected:
                var message = ProblemText(rejected.Problem, policy, text);
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [message] }, title: message);
            default:
                return TypedResults.Problem(title: text["Reset_InvalidLink"], statusCode: StatusCodes.Status400BadRequest,
                    type: "https://access-platform/problems/invalid-reset-link");
        }
    }

    /// <summary>The localized rule a new password broke.</summary>
    public static string ProblemText(PasswordProblem problem, PasswordPolicy policy, IStringLocalizer<SharedResource> text) => problem switch
    {
        PasswordProblem.TooShort => text["Reset_TooShort", policy.MinLength],
        PasswordProblem.TooLong => text["Reset_TooLong", policy.MaxLength],
        _ => text["Reset_TooCommon"],
    };
}
