using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Sessions;

/// <summary>The last step: a new session id at every login (ASVS 7.2.4).</summary>
public sealed partial class SessionStep(SessionStore sessions, UserStore users, AuditLog audit, LoginMetrics metrics, ILogger<SessionStep> logger)
    : ILoginStep
{
    public string Name => "login.session";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        var user = state.RequiredUser;
        // A language chosen before signing in becomes the user's preference, so later messages follow it.
        var language = state.ChosenLanguage ?? user.PreferredLanguage;
        if (language != user.PreferredLanguage)
        {
            await users.SetPreferredLanguageAsync(user.Id, language);
        }
        var (secret, session) = await sessions.CreateAsync(new NewSession(user.Id, user.AccountId, user.Username, user.AccountKey, user.Roles,
            language, state.DeviceLabel, state.Ip, user.SecurityStamp, state.SessionNotAfter, state.SsoOrigin));
        metrics.Attempt("success");
        // What the admin profile shows as the last sign-in; the method names are the column's allowed values.
        await users.RecordSignInAsync(user.Id, MethodOf(state.Entry), state.DeviceLabel, session.CreatedAt);
        await audit.RecordAsync(AuditEvents.LoginSucceeded, user.AccountId, user.Id, ip: state.Ip);
        LogSignedIn(logger, user.Id);
        state.SignedIn = new LoginOutcome.SignedIn(secret, session, user.MustAddPasskey);
        return StepResult.Continue;
    }

    internal static string MethodOf(LoginEntry entry) => entry switch
    {
        LoginEntry.Passkey => "passkey",
        LoginEntry.Sso or LoginEntry.SsoLink => "sso",
        _ => "password",
    };

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Login succeeded for user {UserId}")]
    private static partial void LogSignedIn(ILogger logger, Guid userId);
}
