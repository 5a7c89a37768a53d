using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.Flow;

/// <summary>Where a login attempt ended up. Each step of the flow produces one of these or hands over to the next step.</summary>
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

    /// <summary>A new device: the second factor must be completed on the challenge identified by <see cref="FlowId"/>.</summary>
    public sealed record SecondFactorRequired(string FlowId, IReadOnlyList<ChannelOption> Channels, string PreferredChannel) : LoginOutcome;

    /// <summary>A wrong code; the challenge lives on.</summary>
    public sealed record WrongCode : LoginOutcome;

    /// <summary>The challenge expired, was used or died of wrong codes: start again.</summary>
    public sealed record ChallengeGone : LoginOutcome;

    public sealed record SignedIn(string SecretId, Session Session) : LoginOutcome;
}
