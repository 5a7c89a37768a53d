using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Sso.Admin;

/// <summary>SSO settings of the caller's own account, for its Account Managers.</summary>
public static class AdminSsoApi
{
    public static IEndpointRouteBuilder MapAdminSsoApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/sso").WithTags("SSO settings").RequireAuthorization(AdminClaims.Policy);
        admin.MapGet("/", Get).WithName("GetSsoSettings").WithSummary("The account's SSO settings and what to give the IdP.");
        admin.MapPut("/", Put).WithName("PutSsoSettings").ProducesProblemTypes(403, "reauthentication-required")
            .WithSummary("Changes the SSO settings; needs a re-authentication within 5 minutes; audited with the diff, emailed to every Account Manager.");
        admin.MapPost("/metadata/refresh", RefreshMetadata).WithName("RefreshSsoIdpMetadata")
            .WithSummary("Fetches the IdP metadata URL now; a change is audited and emailed like a manual one; needs a re-authentication within 5 minutes.");
        return app;
    }

    public static async Task<Ok<SsoSettingsView>> Get(HttpContext http, SsoSettingsService settings) =>
        TypedResults.Ok(await settings.GetAsync(http.User.AccountOf()));

    public static async Task<Results<Ok<SsoSettingsView>, ValidationProblem, ProblemHttpResult>> Put(
        SsoSettingsInput input, HttpContext http, SsoSettingsService settings, IStringLocalizer<SsoResource> t)
    {
        // Who controls the IdP controls every SSO sign-in of the account: a fresh proof of the manager first (ASVS 7.5.1).
        if (!http.User.IsRecentlyAuthenticated())
        {
            return TypedResults.Problem(title: t["Admin_ApiReauthenticate"], statusCode: StatusCodes.Status403Forbidden,
                type: AdminClaims.ReauthenticationProblemType, extensions: new Dictionary<string, object?> { ["reauthenticate"] = "/api/auth/reauthenticate" });
        }
        var (errors, validated) = await settings.ValidateAsync(input, http.RequestAborted);
        if (validated is null)
        {
            return TypedResults.ValidationProblem(errors, title: t["Admin_ApiInvalid"]);
        }
        var account = http.User.AccountOf();
        try
        {
            await settings.SaveAsync(account, validated, new SettingsActor(http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString()),
                http.RequestAborted);
        }
        catch (HttpRequestException)
        {
            return TypedResults.Problem(title: t["Admin_SaveFailed"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(await settings.GetAsync(account));
    }

    /// <summary>"Refresh now": the scheduled refresh, started by the Account Manager (who is then the audited actor).</summary>
    public static async Task<Results<Ok<SsoSettingsView>, ProblemHttpResult>> RefreshMetadata(HttpContext http, SsoSettingsService settings)
    {
        if (!http.User.IsRecentlyAuthenticated())
        {
            return TypedResults.Problem(title: "Please confirm your password first.", statusCode: StatusCodes.Status403Forbidden,
                type: AdminClaims.ReauthenticationProblemType, extensions: new Dictionary<string, object?> { ["reauthenticate"] = "/api/auth/reauthenticate" });
        }
        var account = http.User.AccountOf();
        if ((await settings.GetAsync(account)).Metadata is null)
        {
            return TypedResults.Problem(title: "The SSO settings do not come from a metadata URL.", statusCode: StatusCodes.Status409Conflict);
        }
        // A failed fetch is not an error of this request: the view carries the reason and time, the last good settings stay.
        await settings.RefreshMetadataAsync(account, new SettingsActor(http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString()), http.RequestAborted);
        return TypedResults.Ok(await settings.GetAsync(account));
    }
}
