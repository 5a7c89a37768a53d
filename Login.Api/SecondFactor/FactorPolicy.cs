using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.SecondFactor;

public sealed record ChannelOption(string Channel, string Destination);

/// <summary>
/// Which second factors a user is offered: the strongest one they have. Passkey &gt; authenticator app &gt; SMS &gt;
/// email: a passkey is phishing-resistant (bound to the origin, NIST 800-63B 5.2.5), the others are not; email is
/// no out-of-band authenticator (NIST 800-63B 5.1.3.1), so whoever controls the mailbox must not outrank the app
/// (ASVS 6.4.3). Weaker channels come back only where the account's Account Manager allowed fallback.
/// </summary>
public static class FactorPolicy
{
    public static IReadOnlyList<ChannelOption> ChannelsOf(User user)
    {
        List<ChannelOption> all =
        [
            .. user.HasPasskey ? [new ChannelOption("passkey", "")] : Array.Empty<ChannelOption>(),
            .. user.TotpSecret is not null ? [new ChannelOption("totp", "")] : Array.Empty<ChannelOption>(),
            .. user.Phone is { } phone ? [new ChannelOption("sms", Masking.Phone(phone))] : Array.Empty<ChannelOption>(),
            new ChannelOption("email", Masking.Email(user.Email)),
        ];
        return user.SecondFactorFallback ? all : [all[0]];
    }

    /// <summary>The channel the page preselects: the one used last time, if still allowed.</summary>
    public static string Preferred(User user, IReadOnlyList<ChannelOption> channels) =>
        channels.Any(c => c.Channel == user.OtpChannel) ? user.OtpChannel! : channels[0].Channel;
}
