using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>The recovery-code and factor-reset emails (ASVS 6.3.7), rendered from <see cref="RecoveryResource"/> in the user's language.</summary>
public sealed class RecoveryCodeNotifier(NotificationOutbox outbox, IStringLocalizer<RecoveryResource> text, EmailComposer emails, UserNotifier links, TimeProvider clock)
{
    public Task SendUsedAsync(User user, int remaining) =>
        EmailAsync(user, NotificationPurpose.AuthenticatorChanged, "Email_RecoveryUsed", user.Username, Now, remaining, links.Link("/forgot-password"));

    public Task SendGeneratedAsync(User user) =>
        EmailAsync(user, NotificationPurpose.AuthenticatorChanged, "Email_RecoveryGenerated", user.Username, Now, links.Link("/forgot-password"));

    public Task SendFactorsResetAsync(User user) =>
        EmailAsync(user, NotificationPurpose.AuthenticatorChanged, "Email_FactorsReset", user.Username, Now);

    private string Now => clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm");

    private Task EmailAsync(User user, NotificationPurpose purpose, string key, params object[] arguments) =>
        outbox.PublishAsync(emails.Compose(Guid.NewGuid(), user.Email, user.PreferredLanguage, text, key + "_Subject", key + "_Body", purpose, arguments));
}
