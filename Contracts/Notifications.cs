namespace AccessPlatform.Contracts;

/// <summary>Why a message is sent; drives metrics and lets ops filter the error queue.</summary>
public enum NotificationPurpose
{
    Test,
    OneTimeCode,
    NewDeviceSignIn,
    Lockout,
    PasswordReset,
    PasswordChanged,
    Invitation,
    AccountActivation,
    SignupNotice,
    AuthenticatorChanged,
    SsoLinkChanged,
    SsoSettingsChanged,
    Welcome,
    /// <summary>The user's password, email or phone changed, or a change of them waits for confirmation.</summary>
    AccountChanged,
}

/// <summary>
/// An email rendered by the publisher in the recipient's language. <see cref="MessageId"/> is the idempotency key:
/// the worker sends each id at most once. Bodies may hold secrets (codes, links), so only the body carries them.
/// A message past <see cref="ExpiresAt"/> (a code nobody can use any more) is dropped, not sent.
/// </summary>
public sealed record SendEmail(
    Guid MessageId,
    string To,
    string Subject,
    string TextBody,
    NotificationPurpose Purpose,
    string? HtmlBody = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>An SMS to an E.164 number, rendered by the publisher. Same rules as <see cref="SendEmail"/>.</summary>
public sealed record SendSms(
    Guid MessageId,
    string To,
    string Body,
    NotificationPurpose Purpose,
    DateTimeOffset? ExpiresAt = null);

public enum NotificationChannel { Email, Sms }

/// <summary>Published by the worker once a provider accepted the message.</summary>
public sealed record NotificationDelivered(Guid MessageId, NotificationChannel Channel, NotificationPurpose Purpose, DateTimeOffset AcceptedAt);

/// <summary>Published by the worker when a message will not be delivered (permanent failure or retries exhausted).</summary>
public sealed record NotificationFailed(Guid MessageId, NotificationChannel Channel, NotificationPurpose Purpose, string ReasonCode, DateTimeOffset FailedAt);
