using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Notifications;

/// <summary>Renders messages in the recipient's language and publishes them to the notification worker.</summary>
public sealed class UserNotifier(
    NotificationOutbox outbox, IStringLocalizer<SharedResource> text, EmailComposer emails, IOptions<PlatformOptions> platform, TimeProvider clock)
{
    public Task SendLockoutAsync(User user, DateTime lockedUntil) =>
        EmailAsync(user, NotificationPurpose.Lockout, "Email_Lockout_Subject", "Email_Lockout_Body",
            user.Username, lockedUntil.ToString("yyyy-MM-dd HH:mm"), Link("/forgot-password"));

    /// <summary>Someone who knows the password is guessing second-factor codes: the user should change the password.</summary>
    public Task SendSecondFactorLockoutAsync(User user, DateTime lockedUntil) =>
        EmailAsync(user, NotificationPurpose.Lockout, "Email_SecondFactorLockout_Subject", "Email_SecondFactorLockout_Body",
            user.Username, lockedUntil.ToString("yyyy-MM-dd HH:mm"), Link("/forgot-password"));

    /// <summary>ASVS 6.3.4: a sign-in from a device the user had not used before.</summary>
    public Task SendNewDeviceAsync(User user, LoginContext context, string language) =>
        EmailAsync(user with { PreferredLanguage = language }, NotificationPurpose.NewDeviceSignIn, "Email_NewDevice_Subject", "Email_NewDevice_Body",
            user.Username, context.DeviceLabel, clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm"), ApproximateIp(context.Ip), Link("/forgot-password"));

    /// <summary>ASVS 6.3.7: an authenticator app was added, replaced or removed.</summary>
    public Task SendAuthenticatorChangedAsync(User user, SecondFactor.AuthenticatorChange change)
    {
        var key = change switch
        {
            SecondFactor.AuthenticatorChange.Enrolled => "Email_TotpEnrolled",
            SecondFactor.AuthenticatorChange.Replaced => "Email_TotpReplaced",
            _ => "Email_TotpRemoved",
        };
        return EmailAsync(user, NotificationPurpose.AuthenticatorChanged, key + "_Subject", key + "_Body",
            user.Username, clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm"), Link("/forgot-password"));
    }

    /// <summary>The network, not the host: enough for the user to recognise it.</summary>
    private static string ApproximateIp(string? ip) =>
        System.Net.IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? string.Join('.', address.GetAddressBytes().Take(3)) + ".x"
            : ip ?? "unknown";

    public Uri Link(string pathAndQuery) => new(platform.Value.PublicOrigin, pathAndQuery);

    /// <exception cref="DependencyUnavailableException">Neither the broker nor the outbox took the message (503 + Retry-After).</exception>
    public async Task EmailAsync(User user, NotificationPurpose purpose, string subjectKey, string bodyKey, params object[] arguments)
    {
        var email = emails.Compose(Guid.NewGuid(), user.Email, user.PreferredLanguage, text, subjectKey, bodyKey, purpose, arguments);
        await outbox.PublishAsync(email);
    }
}
