using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Flow;

/// <summary>Step: the client's address may still fail; claims one unit of its budget before the password costs a hash.</summary>
public sealed class IpBudgetStep(IpFailureBudget budget, LoginMetrics metrics) : ILoginStep
{
    public string Name => "login.ip-budget";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (await budget.TryClaimAsync(state.Ip) is { } retryAfter)
        {
            metrics.Attempt("ip-budget-exhausted");
            return new StepResult.Fail(new LoginOutcome.TooManyFailures(retryAfter));
        }
        return StepResult.Continue;
    }
}
