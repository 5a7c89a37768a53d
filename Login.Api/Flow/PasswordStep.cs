using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// Step: username and password. Unknown, locked and disabled users cost one hash like everyone else, so neither the
/// answer nor its timing tells whether an account exists. A guess is claimed atomically before it is checked.
/// On the SSO link page (<see cref="LoginEntry.SsoLink"/>) the user is known already: the step waits for the password.
/// </summary>
public sealed partial class PasswordStep(
    PasswordCheck check, IpFailureBudget budget, AuditLog audit, LoginMetrics metrics, ILogger<PasswordStep> logger)
    : ICredentialStep, IInteractiveLoginStep
{
    public string Name => "login.password";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (state.Entry == LoginEntry.SsoLink && state.Credentials is null)
        {
            return new StepResult.Challenge(new LoginOutcome.PasswordRequired(state.FlowId));
        }
        var (username, password) = state.Credentials ?? throw new InvalidOperationException("The password step needs credentials.");
        var (user, result) = await check.FindAndCheckAsync(username, password, state.Ip);
        if (user is null || !user.IsActive)
        {
            return await FailAsync(user is null ? "unknown-user" : "disabled", user, state);
        }
        return await CompleteAsync(user, result, state);
    }

    /// <summary>The link page's password: the same budget, lockout counter and audit as the login form; a wrong one may be retried.</summary>
    public async Task<StepResult> ContinueAsync(LoginState state, StepInput input, HttpContext http)
    {
        if (input is not StepInput.SubmitPassword { Password: { Length: > 0 and <= 512 } password } || state.User is not { } user)
        {
            return new StepResult.Challenge(new LoginOutcome.InvalidCredentials());
        }
        if (await budget.TryClaimAsync(state.Ip) is { } retryAfter)
        {
            metrics.Attempt("ip-budget-exhausted");
            return new StepResult.Fail(new LoginOutcome.TooManyFailures(retryAfter));
        }
        if (!user.IsActive || user.SecurityStamp != state.SecurityStamp)
        {
            await check.NoAccountAsync(password);
            await FailAsync("disabled", user, state);
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        return await CheckAsync(user, password, state) is StepResult.Fail { Outcome: LoginOutcome.InvalidCredentials } wrong
            ? new StepResult.Challenge(wrong.Outcome)
            : StepResult.Continue;
    }

    public Task<LoginOutcome> DescribeAsync(LoginState state) =>
        Task.FromResult<LoginOutcome>(new LoginOutcome.PasswordRequired(state.FlowId));

    private async Task<StepResult> CheckAsync(User user, string password, LoginState state) =>
        await CompleteAsync(user, await check.CheckAsync(user, password, state.Ip), state);

    private async Task<StepResult> CompleteAsync(User user, PasswordCheckResult result, LoginState state)
    {
        switch (result)
        {
            case PasswordCheckResult.Locked:
                return await FailAsync("locked", user, state);
            case PasswordCheckResult.Wrong:
                return await FailAsync(user.PasswordHash is null ? "no-password" : "bad-password", user, state);
        }
        await budget.RefundAsync(state.Ip);
        state.User = user;
        state.UserId = user.Id;
        state.SecurityStamp = user.SecurityStamp;
        state.Language = state.ChosenLanguage ?? user.PreferredLanguage;
        return StepResult.Continue;
    }

    /// <param name="reason">For the audit log and metrics only; the client never sees it.</param>
    private async Task<StepResult> FailAsync(string reason, User? user, LoginState state)
    {
        metrics.Attempt(reason == "locked" ? "locked" : "bad-credentials");
        await audit.RecordAsync(AuditEvents.LoginFailed, user?.AccountId, user?.Id, reason, ip: state.Ip);
        LogFailed(logger, reason, user?.Id);
        return new StepResult.Fail(new LoginOutcome.InvalidCredentials());
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Login failed ({Reason}) for user {UserId}")]
    private static partial void LogFailed(ILogger logger, string reason, Guid? userId);
}
