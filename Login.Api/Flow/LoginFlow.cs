using System.Security.Cryptography;
using System.Text;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Telemetry;
using Microsoft.AspNetCore.WebUtilities;

namespace AccessPlatform.Login.Flow;

/// <summary>
/// The login state machine: the ordered steps of <see cref="LoginSteps.Order"/> and one loop. Each step reports
/// next / challenge / fail; a challenge stores the state under the flow id, bound to the browser or client that started
/// it, and <see cref="ContinueAsync"/> resumes it at the waiting step after re-checking the user. Every entry (the JSON
/// API, the pages, SSO completion) goes through here.
/// </summary>
public sealed partial class LoginFlow(
    IReadOnlyList<ILoginStep> steps, ILoginStateStore store, ILoginUsers users, LoginBindingCookie binding, TimeProvider clock, ILogger<LoginFlow> logger)
{
    public Task<LoginOutcome> StartAsync(string username, string password, HttpContext http) =>
        RunAsync(NewState(LoginEntry.Password, http, (username, password)), 0, http, persisted: false);

    /// <summary>
    /// SSO completion: the account's IdP proved the identity, so the flow starts after the password step, and (the
    /// platform's rule for SSO, as before) the IdP's sign-in stands in for the device check and second factor.
    /// </summary>
    /// <param name="sessionNotOnOrAfter">The IdP's SessionNotOnOrAfter, which caps the session's absolute expiry.</param>
    /// <param name="origin">The IdP identity, kept with the session for single logout.</param>
    public Task<LoginOutcome> StartSsoAsync(User user, HttpContext http, DateTimeOffset? sessionNotOnOrAfter = null, Sessions.SsoSessionOrigin? origin = null)
    {
        var state = NewState(LoginEntry.Sso, http, credentials: null);
        state.SessionNotAfter = sessionNotOnOrAfter?.UtcDateTime;
        state.SsoOrigin = origin;
        state.User = user;
        state.UserId = user.Id;
        state.SecurityStamp = user.SecurityStamp;
        state.SecondFactorSatisfied = true;
        var afterCredentials = LastIndexOf<ICredentialStep>() + 1;
        return RunAsync(state, afterCredentials, http, persisted: false);
    }

    /// <summary>Passwordless: the flow starts at the passkey step, which proves both factors (user verification required).</summary>
    public Task<LoginOutcome> StartPasskeyAsync(Fido2NetLib.AssertionOptions options, Fido2NetLib.AuthenticatorAssertionRawResponse response, HttpContext http)
    {
        var state = NewState(LoginEntry.Passkey, http, credentials: null, passkey: (options, response));
        return RunAsync(state, IndexOf<Passkeys.PasskeySignInStep>(), http, persisted: false);
    }

    /// <summary>
    /// The link page of an identity the IdP asserted for <paramref name="user"/>, who has a password: the flow waits
    /// at the password step, then always asks the second factor (a trusted device does not count), and only then
    /// stores the link and signs in. Like Keycloak's first-broker-login "confirm link" and "re-authenticate".
    /// </summary>
    public Task<LoginOutcome> StartSsoLinkAsync(User user, Sso.SsoIdentity identity, HttpContext http, Sessions.SsoSessionOrigin? origin = null)
    {
        var state = NewState(LoginEntry.SsoLink, http, credentials: null);
        state.SsoOrigin = origin;
        state.User = user;
        state.UserId = user.Id;
        state.SecurityStamp = user.SecurityStamp;
        state.PendingLink = identity;
        return RunAsync(state, IndexOf<ICredentialStep>(), http, persisted: false);
    }

    /// <summary>The user's answer to the step the flow waits at.</summary>
    public async Task<LoginOutcome> ContinueAsync(string? flowId, StepInput input, HttpContext http)
    {
        if (await ResumeAsync(flowId, http) is not var (state, step))
        {
            return new LoginOutcome.ChallengeGone();
        }
        StepResult result;
        using (LoginActivity.Source.StartActivity(step.Name))
        {
            result = await step.ContinueAsync(state, input, http);
        }
        switch (result)
        {
            case StepResult.Challenge challenge:
                await store.SaveAsync(state, create: false);
                return challenge.Outcome;
            case StepResult.Fail fail:
                await store.EndAsync(state.FlowId);
                return fail.Outcome;
            default:
                // Single use: of parallel answers, only the one that ends the stored flow goes on.
                return await store.EndAsync(state.FlowId)
                    ? await RunAsync(state, state.Step + 1, http, persisted: false)
                    : new LoginOutcome.ChallengeGone();
        }
    }

    /// <summary>What the waiting step shows now (for the code page and the status API); changes nothing.</summary>
    public async Task<LoginOutcome> DescribeAsync(string? flowId, HttpContext http) =>
        await ResumeAsync(flowId, http) is var (state, step) ? await step.DescribeAsync(state) : new LoginOutcome.ChallengeGone();

    private async Task<LoginOutcome> RunAsync(LoginState state, int from, HttpContext http, bool persisted)
    {
        for (var i = from; i < steps.Count; i++)
        {
            StepResult result;
            using (LoginActivity.Source.StartActivity(steps[i].Name))
            {
                result = await steps[i].RunAsync(state, http);
            }
            switch (result)
            {
                case StepResult.Challenge challenge when steps[i] is IInteractiveLoginStep:
                    state.Step = i;
                    await PersistAsync(state, persisted, http);
                    return challenge.Outcome;
                case StepResult.Challenge:
                    throw new InvalidOperationException($"Step {steps[i].Name} challenged but cannot be resumed.");
                case StepResult.Fail fail:
                    return fail.Outcome;
            }
        }
        return state.SignedIn ?? throw new InvalidOperationException("The flow ended without a session step.");
    }

    private async Task PersistAsync(LoginState state, bool persisted, HttpContext http)
    {
        if (!persisted)
        {
            var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            state.BindingHash = LoginBindingCookie.HashOf(secret);
            http.Response.Cookies.Append(binding.Name, secret, binding.Options(LoginStateStore.Lifetime));
        }
        await store.SaveAsync(state, create: !persisted);
    }

    /// <summary>The stored flow, if it exists, belongs to this browser or client, waits at an interactive step, and its user still passes every guard.</summary>
    private async Task<(LoginState State, IInteractiveLoginStep Step)?> ResumeAsync(string? flowId, HttpContext http)
    {
        if (!LoginStateStore.IsWellFormed(flowId) || await store.GetAsync(flowId!) is not { } state)
        {
            return null;
        }
        if (binding.Read(http) is not { } secret || state.BindingHash is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(LoginBindingCookie.HashOf(secret)), Encoding.ASCII.GetBytes(state.BindingHash)))
        {
            LogForeignFlow(logger);
            return null;
        }
        if (state.Step < 0 || state.Step >= steps.Count || steps[state.Step] is not IInteractiveLoginStep step)
        {
            return null;
        }
        state.User = await users.FindByIdAsync(state.UserId);
        foreach (var guard in steps.Take(state.Step).OfType<ILoginGuard>())
        {
            if (await guard.RecheckAsync(state) is not null)
            {
                await store.EndAsync(state.FlowId);
                return null;
            }
        }
        return (state, step);
    }

    private LoginState NewState(LoginEntry entry, HttpContext http, (string, string)? credentials,
        (Fido2NetLib.AssertionOptions, Fido2NetLib.AuthenticatorAssertionRawResponse)? passkey = null)
    {
        var context = LoginContext.From(http);
        return new LoginState
        {
            FlowId = LoginStateStore.NewFlowId(),
            Entry = entry,
            DeviceLabel = context.DeviceLabel,
            Ip = context.Ip,
            Language = context.ChosenLanguage ?? "en",
            ChosenLanguage = context.ChosenLanguage,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            Credentials = credentials,
            PasskeyAssertion = passkey,
        };
    }

    private int IndexOf<TStep>() where TStep : ILoginStep
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is TStep)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"{typeof(TStep).Name} is not in the flow.");
    }

    private int LastIndexOf<TStep>() where TStep : ILoginStep
    {
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            if (steps[i] is TStep)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"{typeof(TStep).Name} is not in the flow.");
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "A login flow was resumed by another browser or client; refused")]
    private static partial void LogForeignFlow(ILogger logger);
}
