using System.Globalization;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Notifications;

/// <summary>
/// Turns a feature's localized subject and body (its own resource family) into the multipart email of
/// <see cref="EmailTemplate"/>, in the recipient's language: every <see cref="Uri"/> argument becomes a link with a
/// button, an <see cref="EmailCode"/> a large code; the layout's texts come from <see cref="EmailResource"/>.
/// </summary>
public sealed class EmailComposer(IStringLocalizer<EmailResource> layout, IOptions<PlatformOptions> platform)
{
    public SendEmail Compose(Guid messageId, string to, string language, IStringLocalizer text, string subjectKey, string bodyKey,
        NotificationPurpose purpose, object[] arguments, DateTimeOffset? expiresAt = null) =>
        Cultures.In(language, () =>
        {
            // Arguments are formatted as the localizer formats them (current culture); the layout follows the UI culture.
            var culture = CultureInfo.CurrentCulture;
            var values = arguments.Select(a => a is Uri uri ? new EmailLink(uri, layout[ButtonKey(uri)].Value) : a).ToArray();
            var chrome = new EmailChrome(layout[ReasonKey(purpose)].Value, layout["Email_LinkHint"].Value, layout["Email_CodeLabel"].Value,
                layout["Email_Automatic"].Value, layout["Email_Contact"].Value, new Uri(platform.Value.PublicOrigin, "/contact"));
            var subject = text[subjectKey].Value;
            var format = text[bodyKey].Value;
            return new SendEmail(messageId, to, subject, EmailTemplate.Text(format, values, chrome, culture), purpose,
                EmailTemplate.Html(Cultures.Normalize(language), subject, format, values, chrome, culture), expiresAt);
        });

    /// <summary>Why the recipient got the email, by what it is for.</summary>
    public static string ReasonKey(NotificationPurpose purpose) => purpose switch
    {
        NotificationPurpose.OneTimeCode => "Email_Reason_Code",
        NotificationPurpose.PasswordReset => "Email_Reason_Reset",
        NotificationPurpose.Invitation => "Email_Reason_Invitation",
        NotificationPurpose.AccountActivation or NotificationPurpose.SignupNotice => "Email_Reason_Signup",
        NotificationPurpose.SsoSettingsChanged => "Email_Reason_SsoSettings",
        NotificationPurpose.Welcome => "Email_Reason_Welcome",
        _ => "Email_Reason_Security",
    };

    /// <summary>The button of a link says what the page it opens does.</summary>
    public static string ButtonKey(Uri link) => link.AbsolutePath.TrimEnd('/') switch
    {
        "/forgot-password" => "Email_Button_ResetPassword",
        "/reset-password" => "Email_Button_ChoosePassword",
        AccountChanges.ContactChanges.ConfirmPath => "Email_Button_Confirm",
        "/signup/confirm" => "Email_Button_Activate",
        "/login" => "Email_Button_SignIn",
        "/account/security" => "Email_Button_Security",
        "/admin/sso" => "Email_Button_SsoSettings",
        var path when path.StartsWith("/login/saml/", StringComparison.Ordinal) => "Email_Button_CompanySignIn",
        _ => "Email_Button_Open",
    };
}
