using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record ReauthenticateRequest(string? Password);

/// <summary>The signed-in user confirms the password before a security change (ASVS 7.5.1).</summary>
public static class ReauthenticationApi
{
    public static IEndpointRouteBuilder MapReauthenticationApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sessions").RequireAuthorization();
        auth.MapPost("/reauthenticate", Reauthenticate).WithName("Reauthenticate")
            .WithSummary("Confirms the password; for the next minutes the session may change sign-in methods.");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Reauthenticate(ReauthenticateRequest request,
        HttpContext http, Reauthenticator reauthenticator, IStringLocalizer<SharedResource> text)
    {
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > MaxPasswordLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["Required, at most 512 characters."] });
        }
        try
        {
            return await reauthenticator.ReauthenticateAsync(http, request.Password) switch
            {
                ReauthenticationResult.Passed => TypedResults.NoContent(),
                ReauthenticationResult.Locked => TypedResults.Problem(title: text["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests),
                _ => TypedResults.Problem(title: text["Reauth_WrongPassword"], statusCode: StatusCodes.Status401Unauthorized,
                    type: "https://access-platform/problems/invalid-credentials"),
            };
        }
        catch (HashingCapacityExceededException)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: text["Login_Busy"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>Far beyond any accepted password (as for login): refused before it costs a hash.</summary>
    public const int MaxPasswordLength = 512;
}
