using System.Globalization;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using MassTransit;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.AccountChanges;

/// <summary>
/// The messages of account changes, in the user's language: to the user's address, to an address or number being
/// confirmed, or to an address the user had before. Bodies may hold a link; only the body carries it.
/// </summary>
public sealed class AccountChangeNotifier(IPublishEndpoint publisher, NotificationOutbox outbox, IStringLocalizer<AccountChangeResource> text, EmailComposer emails, IOptions<PlatformOptions> platform,
    TimeProvider clock)
{
    public Uri Link(string pathAndQuery) => new(platform.Value.PublicOrigin, pathAndQuery);

    /// <summary>Where a user who did not make a change goes first: the security page (sign in, change the password) or a reset.</summary>
    public Uri SecureLink => Link("/forgot-password");

    public string Now => clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public Task EmailAsync(User user, string to, string key, params object[] arguments) =>
        outbox.PublishAsync(emails.Compose(Guid.NewGuid(), to, user.PreferredLanguage, text, key + "_Subject", key + "_Body",
            NotificationPurpose.AccountChanged, arguments));

    /// <summary>An SMS holding a one-time code: it ends with the origin-bound line, so browsers offer it on our site only.</summary>
    public Task CodeSmsAsync(User user, string to, Guid messageId, string key, TimeSpan lifetime, string code) =>
        SendSmsAsync(user, to, messageId, key, lifetime, body => OriginBoundCode.Append(body, platform.Value.PublicOrigin, code), [code]);

    public Task SmsAsync(User user, string to, Guid messageId, string key, TimeSpan? lifetime, params object[] arguments) =>
        SendSmsAsync(user, to, messageId, key, lifetime, body => body, arguments);

    private Task SendSmsAsync(User user, string to, Guid messageId, string key, TimeSpan? lifetime, Func<string, string> finish, object[] arguments)
    {
        var body = finish(Cultures.In(user.PreferredLanguage, () => text[key, arguments].Value));
        var expiresAt = lifetime is { } l ? clock.GetUtcNow() + l : (DateTimeOffset?)null;
        return publisher.Publish(new SendSms(messageId, to, body, NotificationPurpose.AccountChanged, expiresAt),
            ctx => { if (lifetime is { } l) { ctx.TimeToLive = l; } });
    }
}
