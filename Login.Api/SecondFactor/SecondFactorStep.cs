using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passkeys;
using Fido2NetLib;
using AccessPlatform.Login.Telemetry;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// Step: on a new device, the strongest second factor the user has (<see cref="FactorPolicy"/>). Starts at most
/// <see cref="SecondFactorOptions.MaxChallengesPerHour"/> challenges per user per hour, whatever the channel; waits for
/// the user to choose a channel (<see cref="CodeSender"/>) and enter the code. Every code guess is claimed from the
/// user's second-factor counter before it is checked (<see cref="LockoutPolicy"/>). A recovery code stands in for
/// whichever channel is offered (a lost phone), counted by the same counter. The passkey channel sends no code:
/// choosing it issues single-use request options (<see cref="LoginOutcome.PasskeyRequested"/>) kept in the flow, and
/// the browser's assertion answers them.
/// </summary>
public sealed class SecondFactorStep(
    ChallengeLimiter limiter, CodeSender sender, Authenticator authenticator, CodeDeliveryStore deliveries, LockoutPolicy lockout,
    PasskeyService passkeys, IOptions<PasskeyOptions> passkeyOptions,
    IOptions<SecondFactorOptions> options, TimeProvider clock, LoginMetrics metrics, AuditLog audit, RecoveryCodeChanges recoveryCodes)
    : IInteractiveLoginStep
{
    public string Name => "login.second-factor";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        if (state.SecondFactorSatisfied || state.PassedSecondFactor is not null)
        {
            return StepResult.Continue;
        }
        var user = state.RequiredUser;
        if (await limiter.TakeChallengeAsync(user.Id, options.Value.MaxChallengesPerHour, clock.GetUtcNow().UtcDateTime) is { } retryAfter)
        {
            metrics.Attempt("too-many-challenges");
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "too-many-challenges", ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.TooManyChallenges(retryAfter));
        }
        metrics.Attempt("second-factor-required");
        await audit.RecordAsync(AuditEvents.SecondFactorRequired, user.AccountId, user.Id, ip: state.Ip);
        var channels = FactorPolicy.ChannelsOf(user);
        return new StepResult.Challenge(new LoginOutcome.SecondFactorRequired(state.FlowId, channels, FactorPolicy.Preferred(user, channels)));
    }

    public async Task<StepResult> ContinueAsync(LoginState state, StepInput input, HttpContext http)
    {
        var user = state.RequiredUser;
        switch (input)
        {
            case StepInput.ChooseChannel { Channel: PasskeySignInStep.Factor }:
                return FactorPolicy.ChannelsOf(user).Any(c => c.Channel == PasskeySignInStep.Factor)
                    ? await RequestPasskeyAsync(state, user)
                    : new StepResult.Challenge(new LoginOutcome.UnknownChannel());
            case StepInput.SubmitPasskey submit:
                return await VerifyPasskeyAsync(state, user, submit.Response);
            case StepInput.ChooseChannel choose:
                return FactorPolicy.ChannelsOf(user).FirstOrDefault(c => c.Channel == choose.Channel) is { } option
                    ? new StepResult.Challenge(await sender.SendAsync(state, user, option))
                    : new StepResult.Challenge(new LoginOutcome.UnknownChannel());
            case StepInput.SubmitCode submit:
                return await VerifyAsync(state, user, submit.Code?.Trim().Replace(" ", ""));
            case StepInput.SubmitRecoveryCode recovery:
                return await VerifyRecoveryCodeAsync(state, user, recovery.Code);
            default:
                return new StepResult.Challenge(new LoginOutcome.UnknownChannel());
        }
    }

    public async Task<LoginOutcome> DescribeAsync(LoginState state)
    {
        var user = state.RequiredUser;
        var channels = FactorPolicy.ChannelsOf(user);
        var destination = channels.FirstOrDefault(c => c.Channel == state.Code?.Channel)?.Destination;
        return new LoginOutcome.SecondFactorPending(channels, FactorPolicy.Preferred(user, channels), state.Code?.Channel, destination,
            await deliveries.GetAsync(state.Code?.MessageId));
    }

    private async Task<StepResult> RequestPasskeyAsync(LoginState state, User user)
    {
        var assertion = await passkeys.AssertionOptionsAsync(user.Id);
        var json = assertion.ToJson();
        state.Passkey = new PasskeyChallenge(json, clock.GetUtcNow().UtcDateTime);
        return new StepResult.Challenge(new LoginOutcome.PasskeyRequested(json));
    }

    private async Task<StepResult> VerifyPasskeyAsync(LoginState state, User user, AuthenticatorAssertionRawResponse? response)
    {
        // Single use: whatever the answer, these options are spent (the state is saved without them on a refusal).
        var pending = state.Passkey;
        state.Passkey = null;
        if (pending is null || clock.GetUtcNow().UtcDateTime - pending.IssuedAt > passkeyOptions.Value.ChallengeLifetime
            || FactorPolicy.ChannelsOf(user).All(c => c.Channel != PasskeySignInStep.Factor))
        {
            return new StepResult.Challenge(new LoginOutcome.CodeNotRequested());
        }
        if (response is not null
            && await passkeys.VerifyAsync(AssertionOptions.FromJson(pending.OptionsJson), response, user.Id, user.AccountId, state.Ip) is not null)
        {
            await audit.RecordAsync(AuditEvents.SecondFactorPassed, user.AccountId, user.Id, PasskeySignInStep.Factor, ip: state.Ip);
            state.PassedSecondFactor = PasskeySignInStep.Factor;
            return StepResult.Continue;
        }
        metrics.Attempt("passkey-refused");
        await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "passkey-refused", ip: state.Ip);
        return new StepResult.Challenge(new LoginOutcome.PasskeyRefused());
    }

    private async Task<StepResult> VerifyAsync(LoginState state, User user, string? code)
    {
        if (state.Code is not { } pending || FactorPolicy.ChannelsOf(user).All(c => c.Channel != pending.Channel))
        {
            return new StepResult.Challenge(new LoginOutcome.CodeNotRequested());
        }
        if (clock.GetUtcNow().UtcDateTime - pending.IssuedAt > options.Value.CodeLifetime && pending.Channel != "totp")
        {
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "expired", ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        // A code guess is claimed from the user's own second-factor counter before it is checked.
        if (await lockout.ClaimAsync(user, GuessedFactor.SecondFactor) is not { } claim)
        {
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "locked", ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        var wellFormed = code is { Length: 6 } && code.All(char.IsAsciiDigit);
        var matches = wellFormed && (pending.Channel == "totp"
            ? user.TotpSecret is { } secret && await authenticator.VerifyOnceAsync(user.Id, secret, code)
            : pending.Matches(code!));
        if (matches)
        {
            await lockout.SucceededAsync(user, claim);
            await audit.RecordAsync(AuditEvents.SecondFactorPassed, user.AccountId, user.Id, pending.Channel, ip: state.Ip);
            state.PassedSecondFactor = pending.Channel;
            return StepResult.Continue;
        }
        metrics.Attempt("wrong-code");
        await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "wrong-code", ip: state.Ip);
        return await lockout.FailedAsync(user, claim, state.Ip)
            ? new StepResult.Fail(new LoginOutcome.ChallengeGone())
            : new StepResult.Challenge(new LoginOutcome.WrongCode());
    }

    /// <summary>A recovery code in place of the code: the same claim, the same counter and the same answers as a wrong code.</summary>
    private async Task<StepResult> VerifyRecoveryCodeAsync(LoginState state, User user, string? input)
    {
        if (await lockout.ClaimAsync(user, GuessedFactor.SecondFactor) is not { } claim)
        {
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "locked", ip: state.Ip);
            return new StepResult.Fail(new LoginOutcome.ChallengeGone());
        }
        if (RecoveryCodeFormat.Normalize(input) is { } code && await recoveryCodes.RedeemAsync(user, code, state.Ip) is not null)
        {
            await lockout.SucceededAsync(user, claim);
            await audit.RecordAsync(AuditEvents.SecondFactorPassed, user.AccountId, user.Id, RecoveryChannel, ip: state.Ip);
            state.PassedSecondFactor = RecoveryChannel;
            return StepResult.Continue;
        }
        metrics.Attempt("wrong-recovery-code");
        await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "wrong-recovery-code", ip: state.Ip);
        return await lockout.FailedAsync(user, claim, state.Ip)
            ? new StepResult.Fail(new LoginOutcome.ChallengeGone())
            : new StepResult.Challenge(new LoginOutcome.WrongCode());
    }

    /// <summary>How a passed recovery code is recorded (audit reason, <see cref="LoginState.PassedSecondFactor"/>).</summary>
    public const string RecoveryChannel = "recovery-code";
}
