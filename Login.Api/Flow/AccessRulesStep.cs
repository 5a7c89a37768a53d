using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// Step and guard: may this user sign in at all? Disabled users and users without web access may not; in an account
/// that enforces SSO only Account Managers (break-glass) use a password or a passkey. Re-checked with the user read again whenever
/// a waiting flow resumes, together with the security stamp, so a challenge cannot outlive a disable, a withdrawn web
/// access, a password change or reset, or the account starting to enforce SSO.
/// </summary>
public sealed class AccessRulesStep(AuditLog audit, LoginMetrics metrics) : ILoginStep, ILoginGuard
{
    public string Name => "login.access-rules";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (Refusal(state) is not var (outcome, reason))
        {
            return StepResult.Continue;
        }
        metrics.Attempt(reason);
        await audit.RecordAsync(AuditEvents.LoginFailed, state.User?.AccountId, state.User?.Id, reason, ip: state.Ip);
        return new StepResult.Fail(outcome);
    }

    public async Task<LoginOutcome?> RecheckAsync(LoginState state)
    {
        var reason = state.User is null ? "user-gone"
            : state.User.SecurityStamp != state.SecurityStamp ? "password-changed"
            : Refusal(state)?.Reason;
        if (reason is null)
        {
            return null;
        }
        metrics.Attempt("challenge-gone");
        await audit.RecordAsync(AuditEvents.SecondFactorFailed, state.User?.AccountId, state.UserId, $"user-changed:{reason}", ip: state.Ip);
        return new LoginOutcome.ChallengeGone();
    }

    private static (LoginOutcome Outcome, string Reason)? Refusal(LoginState state) => state.RequiredUser switch
    {
        { IsActive: false } => (new LoginOutcome.InvalidCredentials(), "disabled"),
        { WebAccess: false } => (new LoginOutcome.NoWebAccess(), "no-web-access"),
        { SsoEnforced: true, IsAccountManager: false } user when state.Entry != LoginEntry.Sso =>
            (new LoginOutcome.SsoRequired(user.AccountKey), "sso-enforced"),
        _ => null,
    };
}
