using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Flow;

namespace AccessPlatform.Login.Sso;

/// <summary>
/// Step: on the SSO link page, after the password and the second factor passed, the asserted identity is linked to
/// the user (audited, emailed). If a concurrent first login linked the identity to someone else, nobody signs in.
/// </summary>
public sealed class SsoLinkStep(SsoLinkStore links, AuditLog audit, SsoLinkNotifier notifier) : ILoginStep
{
    public string Name => "login.sso-link";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (state.Entry != LoginEntry.SsoLink)
        {
            return StepResult.Continue;
        }
        var user = state.RequiredUser;
        // The flow reaches this step only through the second factor; the guard keeps it that way if steps move.
        if (state.PendingLink is not { } identity || state.PassedSecondFactor is null)
        {
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        var linked = await links.LinkAsync(user.AccountId, identity, user.Id, SsoLinkOrigin.Confirmed);
        if (linked != user.Id)
        {
            await audit.RecordAsync(SsoAuditEvents.Refused, user.AccountId, user.Id, SsoRefusal.AlreadyLinked, ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        await audit.RecordAsync(SsoAuditEvents.Linked, user.AccountId, user.Id, SsoLinkOrigin.Confirmed, ip: state.Ip);
        await audit.RecordAsync(SsoAuditEvents.Succeeded, user.AccountId, user.Id, SsoLinkOrigin.Confirmed, ip: state.Ip);
        await notifier.SendLinkedAsync(user, identity.IdpEntityId);
        return StepResult.Continue;
    }
}
