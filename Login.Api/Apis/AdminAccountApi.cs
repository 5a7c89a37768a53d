using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <param name="AccountManagersMustUsePasskey">Optional; unchanged when left out.</param>
/// <param name="EveryoneMustUsePasskey">Optional; unchanged when left out.</param>
public sealed record AccountPolicyInput(bool? SecondFactorFallback, bool? AccountManagersMustUsePasskey = null, bool? EveryoneMustUsePasskey = null);

/// <summary>The account's security policies for its Account Managers.</summary>
public static class AdminAccountApi
{
    public static IEndpointRouteBuilder MapAdminAccountApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/account").WithTags("Account policies").RequireAuthorization(AdminUsersApi.Policy);
        admin.MapGet("/policies", GetPolicies).WithName("GetAccountPolicies").WithSummary("The account's security policies.");
        admin.MapPut("/policies", SetPolicies).WithName("SetAccountPolicies")
            .WithSummary("Changes the account's security policies (audited); needs a recent re-authentication.")
            .RequireRecentAuthentication();
        return app;
    }

    public static async Task<Ok<AccountPolicy>> GetPolicies(HttpContext http, AccountPolicies policies) =>
        TypedResults.Ok(await policies.GetAsync(AdminActor.Of(http)));

    public static async Task<Results<Ok<AccountPolicy>, ValidationProblem>> SetPolicies(AccountPolicyInput input, HttpContext http, AccountPolicies policies,
        IStringLocalizer<AdminApiResource> text)
    {
        if (input.SecondFactorFallback is not { } fallback)
        {
            return AdminUsersApi.Invalid(new Dictionary<string, string[]> { ["secondFactorFallback"] = [text["Error_TrueOrFalse"]] }, text);
        }
        var actor = AdminActor.Of(http);
        var current = await policies.GetAsync(actor);
        await policies.SetAsync(actor, new AccountPolicy(fallback, input.AccountManagersMustUsePasskey ?? current.AccountManagersMustUsePasskey,
            input.EveryoneMustUsePasskey ?? current.EveryoneMustUsePasskey));
        return TypedResults.Ok(await policies.GetAsync(actor));
    }
}
