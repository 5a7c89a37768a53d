using AccessPlatform.Login.Signup;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

public sealed record OperatorAccountCreated(Guid AccountId, Guid UserId, string Key);

/// <summary>
/// Platform operators (who run the platform, not a tenant's Account Managers) create customer accounts here, behind
/// the internal key; the gateway never routes <c>/internal</c>. The dashboard's "Create account" command and the
/// documented curl call it. The first Account Manager gets the usual invitation to set a password.
/// </summary>
public static class OperatorApi
{
    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var operatorApi = app.MapInternalGroup("/internal/operator").WithTags("Operator");
        operatorApi.MapPost("/accounts", CreateAccount).WithName("CreateAccountByOperator")
            .WithSummary("Creates an active account and its first Account Manager, who is emailed an invitation.");
        return app;
    }

    public static async Task<Results<Created<OperatorAccountCreated>, ValidationProblem, ProblemHttpResult>> CreateAccount(
        OperatorAccountRequest request, Signups signups, HttpContext http, Microsoft.Extensions.Localization.IStringLocalizer<SignupResource> text)
    {
        switch (await signups.ProvisionAsync(request, http.Connection.RemoteIpAddress?.ToString()))
        {
            case SignupOutcome.Provisioned created:
                return TypedResults.Created((string?)null, new OperatorAccountCreated(created.AccountId, created.UserId, request.Key!));
            case SignupOutcome.Taken taken:
                return SignupApi.TakenProblem(taken, text);
            case SignupOutcome.Invalid invalid:
                return TypedResults.ValidationProblem(invalid.Errors);
            default:
                throw new InvalidOperationException("Unexpected provisioning outcome.");
        }
    }
}
