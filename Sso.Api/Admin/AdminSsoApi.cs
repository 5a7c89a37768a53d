using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Sso.Admin;

/// <summary>SSO settings of the caller's own account, for its Account Managers.</summary>
public static class AdminSsoApi
{
    public static IEndpointRouteBuilder MapAdminSsoApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/sso").WithTags("SSO settings").RequireAuthorization(AdminClaims.Policy);
        admin.MapGet("/", Get).WithName("GetSsoSettings");
        admin.MapPut("/", Put).WithName("PutSsoSettings");
        return app;
    }

    public static async Task<Ok<SsoSettingsView>> Get(HttpContext http, SsoSettingsService settings) =>
        TypedResults.Ok(await settings.GetAsync(http.User.AccountOf()));

    public static async Task<Results<Ok<SsoSettingsView>, ValidationProblem, ProblemHttpResult>> Put(
        SsoSettingsInput input, HttpContext http, SsoSettingsService settings)
    {
        var errors = settings.Validate(input, out var validated);
        if (validated is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The SSO settings are not valid.");
        }
        var account = http.User.AccountOf();
        try
        {
            await settings.SaveAsync(account, validated, http.RequestAborted);
        }
        catch (HttpRequestException)
        {
            return TypedResults.Problem(title: "The settings could not be saved. Please try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(await settings.GetAsync(account));
    }
}
