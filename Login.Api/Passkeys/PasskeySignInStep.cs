using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Telemetry;

namespace AccessPlatform.Login.Passkeys;

/// <summary>
/// Step (passwordless entry only): the passkey's assertion proves who the user is, and, with user verification
/// required, the second factor too, so the browser becomes trusted after it. The user comes from the credential
/// (its user handle checked by Fido2); the same access rules as for a password follow. Every other entry passes.
/// </summary>
public sealed class PasskeySignInStep(PasskeyService passkeys, UserStore users, AuditLog audit, LoginMetrics metrics) : ICredentialStep
{
    public const string Factor = "passkey";

    public string Name => "login.passkey";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (state.Entry != LoginEntry.Passkey)
        {
            return StepResult.Continue;
        }
        var (options, response) = state.PasskeyAssertion ?? throw new InvalidOperationException("The passkey step needs an assertion.");
        if (await passkeys.VerifyAsync(options, response, expectedUserId: null, accountId: null, state.Ip) is not { } proof
            || await users.FindByIdAsync(proof.UserId) is not { } user)
        {
            metrics.Attempt("bad-credentials");
            await audit.RecordAsync(AuditEvents.LoginFailed, null, null, "passkey-refused", ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.InvalidCredentials());
        }
        state.User = user;
        state.UserId = user.Id;
        state.SecurityStamp = user.SecurityStamp;
        state.Language = state.ChosenLanguage ?? user.PreferredLanguage;
        state.PassedSecondFactor = Factor;
        return StepResult.Continue;
    }
}
