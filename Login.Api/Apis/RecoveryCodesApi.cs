using AccessPlatform.Login.Flow;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

public sealed record RecoveryCodeLoginRequest(string? FlowId, string? Code);

public sealed record RecoveryCodesSummary(int Remaining, DateTime? GeneratedAt);

/// <param name="Codes">The new codes, shown this once; the server keeps only their HMACs.</param>
public sealed record RecoveryCodesGenerated(string[] Codes);

/// <summary>
/// Recovery codes: completing a pending login with one in place of the second factor, and the signed-in user's own
/// set (how many are left; a new set, which voids the old one and needs a recent re-authentication).
/// </summary>
public static class RecoveryCodesApi
{
    public static IEndpointRouteBuilder MapRecoveryCodesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/auth/second-factor").WithTags("Authentication")
            .MapPost("/recovery-code", UseRecoveryCode).WithName("UseRecoveryCode")
            .WithSummary("Completes a pending login with a recovery code instead of the second factor; the code is spent.");
        var codes = app.MapGroup("/api/auth/recovery-codes").WithTags("Recovery codes").RequireAuthorization();
        codes.MapGet("", GetRecoveryCodes).WithName("GetRecoveryCodes").WithSummary("How many of the user's recovery codes are left.");
        codes.MapPost("", GenerateRecoveryCodes).WithName("GenerateRecoveryCodes")
            .WithSummary("Generates 10 new recovery codes, shown once; the old ones stop working. Needs a recent re-authentication.")
            .RequireRecentAuthentication();
        return app;
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> UseRecoveryCode(
        RecoveryCodeLoginRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (string.IsNullOrEmpty(request.FlowId) || request.FlowId.Length > 128 || string.IsNullOrEmpty(request.Code)
            || request.Code.Length > RecoveryCodeFormat.MaxInputLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["flowId"] = ["Required."],
                ["code"] = [$"Required, a recovery code of {RecoveryCodeFormat.Length} characters."],
            });
        }
        return AuthApi.ToResult(await services.Flow.ContinueAsync(request.FlowId, new StepInput.SubmitRecoveryCode(request.Code), services.Http), services);
    }

    public static async Task<Ok<RecoveryCodesSummary>> GetRecoveryCodes(HttpContext http, RecoveryCodeChanges changes)
    {
        var summary = await changes.SummaryAsync(http.User.UserIdOf());
        return TypedResults.Ok(new RecoveryCodesSummary(summary.Remaining, summary.CreatedAt));
    }

    public static async Task<Results<Ok<RecoveryCodesGenerated>, ProblemHttpResult>> GenerateRecoveryCodes(HttpContext http, RecoveryCodeChanges changes)
    {
        if (await changes.GenerateAsync(http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString()) is not { } codes)
        {
            return TypedResults.Problem(title: "User not found", statusCode: StatusCodes.Status404NotFound);
        }
        // The codes are secrets: no cache keeps this answer.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RecoveryCodesGenerated([.. codes]));
    }
}
