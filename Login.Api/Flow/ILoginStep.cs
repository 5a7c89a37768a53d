namespace AccessPlatform.Login.Flow;

/// <summary>
/// One step of a login, as Keycloak's authenticators are: it only reports what happened, and <see cref="LoginFlow"/>
/// decides what follows. A step that needs the user (a code, later a passkey) also implements
/// <see cref="IInteractiveLoginStep"/>.
/// </summary>
public interface ILoginStep
{
    /// <summary>Span name and audit-friendly id, e.g. <c>login.password</c>.</summary>
    string Name { get; }

    Task<StepResult> RunAsync(LoginState state, HttpContext http);
}

/// <summary>A step that proves who the user is (the password, a passkey). The SSO entry starts after them: the IdP proved that.</summary>
public interface ICredentialStep : ILoginStep;

/// <summary>A step the flow can wait at: <see cref="StepResult.Challenge"/> persists the flow, the user's answer resumes it here.</summary>
public interface IInteractiveLoginStep : ILoginStep
{
    Task<StepResult> ContinueAsync(LoginState state, StepInput input, HttpContext http);

    /// <summary>What the waiting step shows (channels, delivery), without changing anything.</summary>
    Task<LoginOutcome> DescribeAsync(LoginState state);
}

/// <summary>Rules re-checked with the freshly read user whenever a waiting flow resumes (a challenge cannot outlive a change to the user).</summary>
public interface ILoginGuard
{
    /// <summary>Null when the user (read again) may still go on; else why not. The guard audits its own refusals.</summary>
    Task<LoginOutcome?> RecheckAsync(LoginState state);
}

/// <summary>What a step reports.</summary>
public abstract record StepResult
{
    /// <summary>Done here: the flow goes on with the next step.</summary>
    public sealed record Next : StepResult;

    /// <summary>The user must do something (<paramref name="Outcome"/> says what); the flow waits at this step.</summary>
    public sealed record Challenge(LoginOutcome Outcome) : StepResult;

    /// <summary>The login ends here with <paramref name="Outcome"/>.</summary>
    public sealed record Fail(LoginOutcome Outcome) : StepResult;

    public static readonly StepResult Continue = new Next();
}

/// <summary>What the user sends to a waiting step.</summary>
public abstract record StepInput
{
    /// <summary>Send (or resend) a code by this channel.</summary>
    public sealed record ChooseChannel(string? Channel) : StepInput;

    public sealed record SubmitCode(string? Code) : StepInput;

    /// <summary>The password, on the link page of an SSO identity (the username is the matched user's).</summary>
    public sealed record SubmitPassword(string? Password) : StepInput;

    /// <summary>A recovery code in place of the second factor (a lost phone).</summary>
    public sealed record SubmitRecoveryCode(string? Code) : StepInput;

    /// <summary>The browser's answer to the passkey request options of <see cref="LoginOutcome.PasskeyRequested"/>.</summary>
    public sealed record SubmitPasskey(Fido2NetLib.AuthenticatorAssertionRawResponse? Response) : StepInput;
}
