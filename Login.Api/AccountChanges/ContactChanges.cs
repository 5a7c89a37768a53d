using System.Globalization;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.AccountChanges;

public enum ContactRequestResult { Sent, Same, Throttled, Undeliverable }

/// <summary>
/// Email changes (by the user or an Account Manager) and phone changes by an Account Manager (ASVS 6.3.6): the new
/// value waits in <see cref="ContactChangeStore"/> until the single-use link sent to the new address or number is
/// used (256-bit token, <see cref="AccountChangeOptions.ConfirmationLifetime"/>); the current address hears of the
/// request and of the change, with where to go if it was not the user. Both steps are audited, without the values.
/// Emails are not unique on this platform (one person may have users in several accounts), so there is nothing to
/// check and nothing an answer could reveal about another user's address.
/// </summary>
public sealed class ContactChanges(ContactChangeStore store, UserStore users, SessionStore sessions, AccountChangeNotifier notifier, AuditLog audit,
    IConnectionMultiplexer redis, IOptions<AccountChangeOptions> options, TimeProvider clock)
{
    public const string ConfirmPath = "/account/confirm-change";

    private AccountChangeOptions Settings => options.Value;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private string Hours => ((int)Settings.ConfirmationLifetime.TotalHours).ToString(CultureInfo.InvariantCulture);

    /// <param name="email">Already validated (<c>UserAdministration.ValidateEmail</c>).</param>
    /// <param name="actorId">The Account Manager, or null when the user asks for themselves.</param>
    public async Task<ContactRequestResult> RequestEmailAsync(User user, string email, Guid? actorId, string? ip)
    {
        if (string.Equals(email, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            return ContactRequestResult.Same;
        }
        // Each request mails an address the requester typed: a budget keeps this from being a way to spam.
        if (actorId is null && !await TakeBudgetAsync(user.Id))
        {
            return ContactRequestResult.Throttled;
        }
        var token = await store.IssueAsync(user.Id, ContactKind.Email, email, user.SecurityStamp, actorId, Now, Settings.ConfirmationLifetime);
        await notifier.EmailAsync(user, email, "Email_ConfirmEmail", user.Username, notifier.Link($"{ConfirmPath}?token={token}"), Hours);
        await notifier.EmailAsync(user, user.Email, actorId is null ? "Email_EmailChangeRequested" : "Email_EmailChangeRequestedByAdmin",
            user.Username, Masking.Email(email), notifier.Now, notifier.SecureLink);
        await audit.RecordAsync(AccountChangeAuditEvents.EmailChangeRequested, user.AccountId, user.Id,
            actorId is null ? AccountChangeAuditEvents.Self : AccountChangeAuditEvents.Admin, actorId ?? user.Id, ip);
        return ContactRequestResult.Sent;
    }

    /// <summary>An Account Manager's new number for the user: an SMS with a link to it; the user's email is told.</summary>
    public async Task<ContactRequestResult> RequestPhoneByAdminAsync(User user, string e164, Guid actorId, string? ip)
    {
        if (e164 == user.Phone)
        {
            return ContactRequestResult.Same;
        }
        var token = await store.IssueAsync(user.Id, ContactKind.Phone, e164, user.SecurityStamp, actorId, Now, Settings.ConfirmationLifetime);
        await notifier.SmsAsync(user, e164, Guid.NewGuid(), "Sms_ConfirmPhoneLink", Settings.ConfirmationLifetime,
            notifier.Link($"{ConfirmPath}?token={token}"));
        await notifier.EmailAsync(user, user.Email, "Email_PhoneChangeRequestedByAdmin", user.Username, Masking.Phone(e164), notifier.Now, notifier.SecureLink);
        await audit.RecordAsync(AccountChangeAuditEvents.PhoneChangeRequested, user.AccountId, user.Id, AccountChangeAuditEvents.Admin, actorId, ip);
        return ContactRequestResult.Sent;
    }

    public Task<IReadOnlyList<PendingContactChange>> PendingAsync(Guid userId) => store.PendingAsync(userId, Now);

    /// <summary>The link's owner confirms: the change applies once; null for an unknown, used, expired or voided link.</summary>
    public async Task<AppliedContactChange?> ConfirmAsync(string? token, string? ip)
    {
        if (await store.RedeemAsync(token, Now) is not { } applied || await users.FindByIdAsync(applied.UserId) is not { } user)
        {
            return null;
        }
        await sessions.UserChangedAsync(user.Id);
        var who = applied.RequestedBy is null ? AccountChangeAuditEvents.Self : AccountChangeAuditEvents.Admin;
        if (applied.Kind == ContactKind.Email)
        {
            await audit.RecordAsync(AccountChangeAuditEvents.EmailChanged, user.AccountId, user.Id, who, user.Id, ip);
            if (applied.OldValue is { } old)
            {
                await notifier.EmailAsync(user, old, "Email_EmailChanged", user.Username, Masking.Email(applied.NewValue), notifier.Now, notifier.SecureLink);
            }
        }
        else
        {
            await audit.RecordAsync(AccountChangeAuditEvents.PhoneChanged, user.AccountId, user.Id, who, user.Id, ip);
            await notifier.EmailAsync(user, user.Email, "Email_PhoneChanged", user.Username, Masking.Phone(applied.NewValue), notifier.Now, notifier.SecureLink);
        }
        return applied;
    }

    /// <summary>A fixed one-hour window per user in Redis (shared by all Login.Api instances).</summary>
    private async Task<bool> TakeBudgetAsync(Guid userId)
    {
        var db = redis.GetDatabase();
        RedisKey key = $"email-changes:{userId:N}";
        var count = await db.StringIncrementAsync(key);
        if (count == 1)
        {
            await db.KeyExpireAsync(key, TimeSpan.FromHours(1));
        }
        return count <= Settings.MaxEmailChangesPerHour;
    }
}
