using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// The one place that says which step follows which:
/// per-IP budget -> password -> web access / SSO rule -> device check -> second factor on new devices -> session issued.
/// </summary>
public sealed partial class LoginFlow(
    IpFailureBudget ipBudget, PasswordStep passwordStep, DeviceCheckStep deviceCheck, SecondFactorStep secondFactor, SessionStore sessions,
    UserNotifier notifier, UserStore users, AuditLog audit, LoginMetrics metrics, ILogger<LoginFlow> logger)
{
    public async Task<LoginOutcome> StartAsync(string username, string password, HttpContext http)
    {
        var context = LoginContext.From(http);
        if (await ipBudget.ExhaustedAsync(context.Ip) is { } retryAfter)
        {
            metrics.Attempt("ip-budget-exhausted");
            return new LoginOutcome.TooManyFailures(retryAfter);
        }

        PasswordResult result;
        using (LoginActivity.Source.StartActivity("login.password"))
        {
            result = await passwordStep.RunAsync(username, password);
        }
        switch (result)
        {
            case PasswordResult.Failed failed:
                await ipBudget.SpendAsync(context.Ip);
                await OnFailedAsync(failed, context);
                return new LoginOutcome.InvalidCredentials();

            case PasswordResult.Verified { User.WebAccess: false } noWeb:
                metrics.Attempt("no-web-access");
                await audit.RecordAsync(AuditEvents.LoginFailed, noWeb.User.AccountId, noWeb.User.Id, "no-web-access", ip: context.Ip);
                return new LoginOutcome.NoWebAccess();

            case PasswordResult.Verified { User: { SsoEnforced: true, IsAccountManager: false } } sso:
                // Account Managers keep a break-glass password login; everyone else uses the company's IdP.
                metrics.Attempt("sso-required");
                await audit.RecordAsync(AuditEvents.LoginFailed, sso.User.AccountId, sso.User.Id, "sso-enforced", ip: context.Ip);
                return new LoginOutcome.SsoRequired(sso.User.AccountKey);

            case PasswordResult.Verified verified:
                DeviceStatus device;
                using (LoginActivity.Source.StartActivity("login.device-check"))
                {
                    device = await deviceCheck.RunAsync(verified.User, http, context);
                }
                if (device == DeviceStatus.New)
                {
                    metrics.Attempt("second-factor-required");
                    var flowId = await secondFactor.BeginAsync(verified.User, context);
                    var channels = SecondFactorStep.ChannelsOf(verified.User);
                    var preferred = channels.Any(c => c.Channel == verified.User.OtpChannel) ? verified.User.OtpChannel! : channels[0].Channel;
                    return new LoginOutcome.SecondFactorRequired(flowId, channels, preferred);
                }
                return await IssueSessionAsync(verified.User, context);

            default:
                throw new InvalidOperationException($"Unknown password result {result.GetType().Name}");
        }
    }

    /// <summary>Step 3 for a new device: the code. On success the device becomes trusted and the user is told by email.</summary>
    public async Task<LoginOutcome> CompleteSecondFactorAsync(string flowId, string? code, HttpContext http)
    {
        using var activity = LoginActivity.Source.StartActivity("login.second-factor");
        var context = LoginContext.From(http);
        switch (await secondFactor.VerifyAsync(flowId, code))
        {
            case VerifyResult.Verified verified:
                await deviceCheck.TrustAsync(verified.User, http, context);
                await notifier.SendNewDeviceAsync(verified.User, context, verified.Challenge.Language);
                return await IssueSessionAsync(verified.User, context);
            case VerifyResult.Wrong:
                metrics.Attempt("wrong-code");
                return new LoginOutcome.WrongCode();
            default:
                metrics.Attempt("challenge-gone");
                return new LoginOutcome.ChallengeGone();
        }
    }

    /// <summary>The last step: a new session id at every login (ASVS 7.2.4).</summary>
    public async Task<LoginOutcome.SignedIn> IssueSessionAsync(User user, LoginContext context)
    {
        using var activity = LoginActivity.Source.StartActivity("login.session");
        // A language chosen before signing in becomes the user's preference, so later messages follow it.
        var language = context.ChosenLanguage ?? user.PreferredLanguage;
        if (language != user.PreferredLanguage)
        {
            await users.SetPreferredLanguageAsync(user.Id, language);
        }
        var (secret, session) = await sessions.CreateAsync(new NewSession(user.Id, user.AccountId, user.Username, user.AccountKey, user.Roles,
            language, context.DeviceLabel, context.Ip, user.SecurityStamp));
        metrics.Attempt("success");
        await audit.RecordAsync(AuditEvents.LoginSucceeded, user.AccountId, user.Id, ip: context.Ip);
        LogSignedIn(logger, user.Id);
        return new LoginOutcome.SignedIn(secret, session);
    }

    private async Task OnFailedAsync(PasswordResult.Failed failed, LoginContext context)
    {
        metrics.Attempt(failed.Reason == "locked" ? "locked" : "bad-credentials");
        await audit.RecordAsync(AuditEvents.LoginFailed, failed.User?.AccountId, failed.User?.Id, failed.Reason, ip: context.Ip);
        LogFailed(logger, failed.Reason, failed.User?.Id);
        if (failed is { LockedUntil: { } lockedUntil, User: { } user })
        {
            metrics.Lockout();
            await audit.RecordAsync(AuditEvents.LockedOut, user.AccountId, user.Id, ip: context.Ip);
            // The only place a locked user learns of the lock: an email, once per lockout.
            await notifier.SendLockoutAsync(user, lockedUntil);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Login succeeded for user {UserId}")]
    private static partial void LogSignedIn(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Login failed ({Reason}) for user {UserId}")]
    private static partial void LogFailed(ILogger logger, string reason, Guid? userId);
}
