using System.Globalization;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.PasswordReset;

/// <summary>What a reset email request did; for the audit log and the admin API, never for an anonymous caller.</summary>
public enum ResetMail { Link, SsoNotice, Throttled, Inactive }

/// <summary>The result of redeeming a link with a new password.</summary>
public abstract record ResetOutcome
{
    public sealed record Changed(User User) : ResetOutcome;

    /// <summary>Unknown, used, superseded, expired, voided by a password change, or the user is disabled: one answer.</summary>
    public sealed record InvalidLink : ResetOutcome;

    public sealed record Rejected(PasswordProblem Problem) : ResetOutcome;
}

/// <summary>
/// Reset and invitation links: who gets which email, the per-user email budget, and setting the new password with
/// everything a reset must also do (ASVS 6.3.6, 6.4.3, 7.4.3).
/// </summary>
public sealed class PasswordResets(
    ResetTokenStore tokens, UserStore users, UserNotifier notifier, AuditLog audit, PasswordHasher hasher, PasswordPolicy policy,
    SessionStore sessions, TrustedDeviceStore devices, IConnectionMultiplexer redis, IOptions<PasswordResetOptions> options, TimeProvider clock,
    AccountChanges.PreviousEmailNotice previousEmail)
{
    /// <summary>The forgot-password request, run off the request path so its timing tells nothing.</summary>
    public async Task HandleForgotAsync(string usernameOrEmail, string? ip)
    {
        foreach (var user in await users.FindByUsernameOrEmailAsync(usernameOrEmail))
        {
            if (!user.IsActive)
            {
                await audit.RecordAsync(AuditEvents.PasswordResetRequested, user.AccountId, user.Id, "self-service:disabled", ip: ip);
                continue;
            }
            if (!await TakeEmailBudgetAsync(user.Id))
            {
                await audit.RecordAsync(AuditEvents.PasswordResetRequested, user.AccountId, user.Id, "self-service:throttled", ip: ip);
                continue;
            }
            var sent = await SendResetAsync(user);
            await audit.RecordAsync(AuditEvents.PasswordResetRequested, user.AccountId, user.Id, $"self-service:{Code(sent)}", ip: ip);
        }
    }

    /// <summary>An Account Manager's reset: the user gets the link; the manager sees neither it nor any password (ASVS 6.4.6).</summary>
    public async Task<ResetMail> SendByAdminAsync(User user, Guid actorId, string? ip)
    {
        var sent = user.IsActive ? await SendResetAsync(user) : ResetMail.Inactive;
        await audit.RecordAsync(AuditEvents.PasswordResetRequested, user.AccountId, user.Id, $"admin:{Code(sent)}", actorId, ip);
        return sent;
    }

    /// <summary>A new user's set-password link: same mechanism, longer lifetime. No actor: a platform operator sent it.</summary>
    public async Task InviteAsync(User user, Guid? actorId, string? ip)
    {
        var lifetime = options.Value.InvitationLifetime;
        var token = await tokens.IssueAsync(user.Id, user.SecurityStamp, TokenPurpose.Invitation, Now, lifetime);
        await notifier.EmailAsync(user, NotificationPurpose.Invitation, "Email_Invite_Subject", "Email_Invite_Body",
            user.Username, ((int)lifetime.TotalHours).ToString(CultureInfo.InvariantCulture), ResetLink(token));
        await audit.RecordAsync(AuditEvents.UserInvited, user.AccountId, user.Id, null, actorId, ip);
    }

    /// <summary>Whether the reset page should show its form for this link (does not use the link up).</summary>
    public async Task<bool> IsLiveAsync(string? token) => await tokens.PeekAsync(token, Now) is not null;

    public async Task<ResetOutcome> ResetAsync(string token, string newPassword, string? ip)
    {
        // Rules first: a typo in the new password must not burn the link.
        if (policy.Check(newPassword) is var problem and not PasswordProblem.None)
        {
            return new ResetOutcome.Rejected(problem);
        }
        if (await tokens.RedeemAsync(token, Now) is not { Usable: true } redeemed
            || await users.FindByIdAsync(redeemed.UserId) is not { IsActive: true } user)
        {
            return new ResetOutcome.InvalidLink();
        }
        var now = Now;
        // The stamp check in the update makes "voided by a password change" hold even against a change in flight.
        if (!await users.SetPasswordAsync(user.Id, redeemed.IssuedStamp, await hasher.HashAsync(newPassword), now))
        {
            return new ResetOutcome.InvalidLink();
        }
        if (await sessions.EndAllAsync(user.Id) > 0)
        {
            await audit.RecordAsync(AuditEvents.SessionRevoked, user.AccountId, user.Id, "password-reset", user.Id, ip);
        }
        await devices.RevokeAllAsync(user.Id, now);
        await notifier.EmailAsync(user, NotificationPurpose.PasswordChanged, "Email_Changed_Subject", "Email_Changed_Body",
            user.Username, now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        await audit.RecordAsync(AuditEvents.PasswordResetCompleted, user.AccountId, user.Id,
            redeemed.Purpose == TokenPurpose.Invitation ? "invitation" : "reset", user.Id, ip);
        return new ResetOutcome.Changed(user);
    }

    /// <summary>
    /// SSO-enforced accounts have no passwords to reset, so their users are sent to their SSO; Account Managers still
    /// get a link (break-glass when the company's identity provider is down).
    /// </summary>
    private async Task<ResetMail> SendResetAsync(User user)
    {
        if (user.SsoEnforced && !user.IsAccountManager)
        {
            await notifier.EmailAsync(user, NotificationPurpose.PasswordReset, "Email_Reset_Subject", "Email_ResetSso_Body",
                user.Username, notifier.Link($"/login/saml/{user.AccountKey}"));
            return ResetMail.SsoNotice;
        }
        var lifetime = options.Value.ResetLifetime;
        var token = await tokens.IssueAsync(user.Id, user.SecurityStamp, TokenPurpose.Reset, Now, lifetime);
        await notifier.EmailAsync(user, NotificationPurpose.PasswordReset, "Email_Reset_Subject", "Email_Reset_Body",
            user.Username, ((int)lifetime.TotalMinutes).ToString(CultureInfo.InvariantCulture), ResetLink(token));
        // Soon after an email change the link goes to the new address; the old one hears of it (issue 11).
        await previousEmail.TellOfResetAsync(user);
        return ResetMail.Link;
    }

    /// <summary>A fixed one-hour window per user in Redis (shared by all Login.Api instances).</summary>
    private async Task<bool> TakeEmailBudgetAsync(Guid userId)
    {
        var db = redis.GetDatabase();
        RedisKey key = $"reset-mails:{userId:N}";
        var count = await db.StringIncrementAsync(key);
        if (count == 1)
        {
            await db.KeyExpireAsync(key, TimeSpan.FromHours(1));
        }
        return count <= options.Value.MaxEmailsPerUserPerHour;
    }

    private Uri ResetLink(string token) => notifier.Link($"/reset-password?token={token}");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static string Code(ResetMail sent) => sent switch
    {
        ResetMail.Link => "link",
        ResetMail.SsoNotice => "sso-notice",
        ResetMail.Throttled => "throttled",
        _ => "inactive",
    };
}
