using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.Flow;

/// <summary>Where a login attempt ended up, or what its waiting step asks of the user.</summary>
public abstract record LoginOutcome
{
    /// <summary>Unknown user, wrong password, locked or disabled: deliberately indistinguishable (ASVS 6.3.8).</summary>
    public sealed record InvalidCredentials : LoginOutcome;

    /// <summary>Right password, but the user may not use the web interface.</summary>
    public sealed record NoWebAccess : LoginOutcome;

    /// <summary>Right password, but the account signs in with its identity provider only.</summary>
    public sealed record SsoRequired(string AccountKey) : LoginOutcome;

    /// <summary>The client's address spent its failure budget across usernames.</summary>
    public sealed record TooManyFailures(TimeSpan RetryAfter) : LoginOutcome;

    /// <summary>The user started more second-factor challenges in the last hour than allowed.</summary>
    public sealed record TooManyChallenges(TimeSpan RetryAfter) : LoginOutcome;

    /// <summary>A new device: the second factor must be completed on the flow <see cref="FlowId"/>.</summary>
    public sealed record SecondFactorRequired(string FlowId, IReadOnlyList<ChannelOption> Channels, string PreferredChannel) : LoginOutcome;

    /// <summary>The waiting second factor as it stands (the code page, the status API).</summary>
    public sealed record SecondFactorPending(IReadOnlyList<ChannelOption> Channels, string PreferredChannel, string? Channel, string? Destination, DeliveryStatus Delivery)
        : LoginOutcome;

    public sealed record CodeSent(string Channel, string Destination) : LoginOutcome;
    public sealed record CodeCooldown(int Seconds) : LoginOutcome;
    public sealed record TooManyCodes : LoginOutcome;
    public sealed record UnknownChannel : LoginOutcome;

    /// <summary>The broker did not take the message in time: nothing was sent, the user can retry.</summary>
    public sealed record CodeUndeliverable(string Destination) : LoginOutcome;

    /// <summary>A code was submitted before one was requested.</summary>
    public sealed record CodeNotRequested : LoginOutcome;

    /// <summary>A wrong code; the flow lives on.</summary>
    public sealed record WrongCode : LoginOutcome;

    /// <summary>The flow expired, was used, belongs to another browser, died of wrong codes or of a change to the user: start again.</summary>
    public sealed record ChallengeGone : LoginOutcome;

    /// <summary>The link page waits for the user's password (flow <see cref="FlowId"/>).</summary>
    public sealed record PasswordRequired(string FlowId) : LoginOutcome;


    /// <summary>The passkey second factor was asked for: <paramref name="OptionsJson"/> goes to <c>navigator.credentials.get</c>.</summary>
    public sealed record PasskeyRequested(string OptionsJson) : LoginOutcome;

    /// <summary>The passkey's assertion was refused (wrong credential, signature, counter, expired challenge); the flow lives on.</summary>
    public sealed record PasskeyRefused : LoginOutcome;

    /// <param name="PasskeyRequired">The account's policy asks this user to add a passkey now (they have none).</param>
    public sealed record SignedIn(string SecretId, Session Session, bool PasskeyRequired = false) : LoginOutcome;
}
