using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <param name="Password">The user's password, or</param>
/// <param name="Passkey">the browser's answer to <c>POST /api/auth/reauthenticate/passkey/options</c>.</param>
public sealed record ReauthenticateRequest(string? Password, System.Text.Json.JsonElement? Passkey = null);

/// <summary>The signed-in user confirms the password before a security change (ASVS 7.5.1).</summary>
public static class ReauthenticationApi
{
    public static IEndpointRouteBuilder MapReauthenticationApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sessions").RequireAuthorization();
        auth.MapPost("/reauthenticate", Reauthenticate).WithName("Reauthenticate").ProducesProblemTypes(401, "invalid-credentials")
            .WithSummary("Confirms the password (or a passkey); for the next minutes the session may change sign-in methods.");
        auth.MapPost("/reauthenticate/passkey/options", PasskeyReauthenticationOptions).WithName("GetPasskeyReauthenticationOptions")
            .WithSummary("Request options for re-authenticating with one of the user's passkeys (single use, 5 minutes, bound to the session).");
        return app;
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Reauthenticate(ReauthenticateRequest request,
        HttpContext http, Reauthenticator reauthenticator, IStringLocalizer<SharedResource> text)
    {
        if (request.Passkey is { ValueKind: not System.Text.Json.JsonValueKind.Null } && request.Password is null)
        {
            if (Passkeys.PasskeyJson.ReadAssertion(request.Passkey) is not { } passkey)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["passkey"] = ["The browser's PublicKeyCredential as JSON."] });
            }
            return await reauthenticator.ReauthenticateWithPasskeyAsync(http, passkey) switch
            {
                ReauthenticationResult.Passed => TypedResults.NoContent(),
                ReauthenticationResult.Locked => TypedResults.Problem(title: text["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests),
                _ => TypedResults.Problem(title: text["Reauth_WrongPassword"], statusCode: StatusCodes.Status401Unauthorized,
                    type: "https://access-platform/problems/invalid-credentials"),
            };
        }
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

    public static async Task<Ok<System.Text.Json.JsonElement>> PasskeyReauthenticationOptions(HttpContext http, Passkeys.PasskeyService passkeys) =>
        TypedResults.Ok(PasskeysApi.Json((await passkeys.BeginReauthenticationAsync(http.User.UserIdOf(), http.User.SessionHandleOf())).ToJson()));

    /// <summary>Far beyond any accepted password (as for login): refused before it costs a hash.</summary>
    public const int MaxPasswordLength = 512;
}
