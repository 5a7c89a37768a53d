using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Sso;

/// <summary>
/// The emails of SSO linking and settings, in the recipient's language: a new or removed link (the user should know a
/// company sign-in can now act as them, ASVS 6.3.7), the welcome of a user created just in time, and every SSO
/// settings change to each Account Manager of the account.
/// </summary>
public sealed class SsoLinkNotifier(NotificationOutbox outbox, IStringLocalizer<SsoLinkResource> text, EmailComposer emails, UserNotifier links, TimeProvider clock)
{
    public Task SendLinkedAsync(User user, string idpEntityId) =>
        EmailAsync(user, NotificationPurpose.SsoLinkChanged, "Email_Linked_Subject", "Email_Linked_Body",
            user.Username, idpEntityId, Now(), links.Link("/account/security"));

    public Task SendLinkRemovedAsync(User user, string idpEntityId) =>
        EmailAsync(user, NotificationPurpose.SsoLinkChanged, "Email_LinkRemoved_Subject", "Email_LinkRemoved_Body",
            user.Username, idpEntityId, Now(), links.Link("/account/security"));

    public Task SendWelcomeAsync(User user, SsoIdentity identity) =>
        EmailAsync(user, NotificationPurpose.Welcome, "Email_Welcome_Subject", "Email_Welcome_Body",
            identity.GivenName ?? user.Username, user.Username, user.AccountName, links.Link($"/login/saml/{user.AccountKey}/"));

    /// <summary>Who "changed" the settings when the IdP's metadata URL brought the change (a name, not a user).</summary>
    public const string MetadataRefreshActor = "IdP metadata refresh (automatic)";

    /// <param name="changes">One line per change, already in neutral notation (entity id old → new, thumbprints, flags).</param>
    public Task SendSettingsChangedAsync(User manager, string changedBy, IReadOnlyList<string> changes) =>
        EmailAsync(manager, NotificationPurpose.SsoSettingsChanged, "Email_SettingsChanged_Subject", "Email_SettingsChanged_Body",
            manager.AccountName, changedBy, Now(), string.Join("\n", changes.Select(c => "- " + c)), links.Link("/admin/sso"));

    private string Now() => clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'");

    private Task EmailAsync(User user, NotificationPurpose purpose, string subjectKey, string bodyKey, params object[] arguments) =>
        outbox.PublishAsync(emails.Compose(Guid.NewGuid(), user.Email, user.PreferredLanguage, text, subjectKey, bodyKey, purpose, arguments));
}
