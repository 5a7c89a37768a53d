using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using MassTransit;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Notifications;

/// <summary>Renders messages in the recipient's language and publishes them to the notification worker.</summary>
public sealed class UserNotifier(IPublishEndpoint publisher, IStringLocalizer<SharedResource> text, IOptions<PlatformOptions> platform)
{
    public Task SendLockoutAsync(User user, DateTime lockedUntil) =>
        EmailAsync(user, NotificationPurpose.Lockout, "Email_Lockout_Subject", "Email_Lockout_Body",
            user.Username, lockedUntil.ToString("yyyy-MM-dd HH:mm"), Link("/forgot-password"));

    public Uri Link(string pathAndQuery) => new(platform.Value.PublicOrigin, pathAndQuery);

    public Task EmailAsync(User user, NotificationPurpose purpose, string subjectKey, string bodyKey, params object[] arguments)
    {
        var (subject, body) = Cultures.In(user.PreferredLanguage, () => (text[subjectKey].Value, text[bodyKey, arguments].Value));
        return publisher.Publish(new SendEmail(Guid.NewGuid(), user.Email, subject, body, purpose));
    }
}
