using System.Net.Mail;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Sso;

/// <summary>Audit event types of SSO logins, links and settings (stored strings; reason codes in <see cref="SsoRefusal"/>).</summary>
public static class SsoAuditEvents
{
    public const string Succeeded = "sso.succeeded";
    public const string Refused = "sso.refused";

    /// <summary>An existing user with a password must confirm the link (password and second factor) first.</summary>
    public const string LinkRequired = "sso.link_required";
    public const string Linked = "sso.linked";
    public const string LinkRemoved = "sso.link_removed";
    public const string UserProvisioned = "sso.user_provisioned";
    public const string SettingsChanged = "sso.settings_changed";
    public const string EnforcementChanged = "sso.enforcement_changed";

    /// <summary>Single logout: the SP-initiated LogoutRequest was sent (reason sp-initiated).</summary>
    public const string SloSent = "sso.slo_sent";

    /// <summary>The IdP's LogoutResponse arrived and validated (reason success, or the IdP's status, e.g. partial-logout).</summary>
    public const string SloCompleted = "sso.slo_completed";

    /// <summary>An IdP-initiated LogoutRequest ended the sessions of its identity (reason sessions-ended-N).</summary>
    public const string SloIdpInitiated = "sso.slo_idp_initiated";

    /// <summary>A logout message was refused (reason saml-&lt;rule&gt;); nothing was ended.</summary>
    public const string SloRefused = "sso.slo_refused";

    /// <summary>A "Test sign-in" from the SSO settings page: what would have happened (reason), nothing linked or created; actor = the tester.</summary>
    public const string TestSignIn = "sso.test_sign_in";
}

/// <summary>Reason codes of refused SSO logins decided here; Sso.Api adds its own <c>saml-*</c> codes.</summary>
public static class SsoRefusal
{
    public const string UnknownAccount = "unknown-account";
    public const string AccountDisabled = "account-disabled";
    public const string NoMatchingUser = "no-matching-user";
    public const string AmbiguousEmail = "ambiguous-email";
    public const string UserDisabled = "user-disabled";
    public const string NoWebAccess = "no-web-access";
    public const string CodeInvalid = "code-invalid";

    /// <summary>A password-less user already linked to another NameID of this IdP is not linked to a second one by email.</summary>
    public const string AlreadyLinked = "already-linked";

    /// <summary>A transient NameID names nobody for long (it is recycled), so it is never linked.</summary>
    public const string TransientNameId = "saml-transient-name-id";

    /// <summary>JIT provisioning with an email an Account Manager could not have entered either.</summary>
    public const string InvalidEmail = "invalid-email";
}

/// <summary>SAML 2.0 NameID formats (SAML core 8.3) and which of them may carry a link.</summary>
public static class NameIdFormats
{
    public const string Persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    public const string Transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    public const string Unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    public const string Email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

    public static bool IsTransient(string? format) => string.Equals(format, Transient, StringComparison.Ordinal);

    public static bool IsEmail(string? format) => string.Equals(format, Email, StringComparison.Ordinal);
}

/// <summary>An identity Sso.Api validated, namespaced by account and IdP (ASVS 6.8.1).</summary>
public sealed record SsoIdentity(string IdpEntityId, string NameId, string? Email, string? GivenName, string? FamilyName, string? NameIdFormat = null);

/// <summary>What the connection allows for identities without a link.</summary>
public sealed record SsoLinkPolicy(bool JitProvisioning, bool LinkExistingUsersByEmail);

public abstract record SsoSignInResult
{
    public sealed record Accepted(User User, string How) : SsoSignInResult;

    /// <summary>The asserted email is an existing user's who has a password: the link page must confirm it first (no session yet).</summary>
    public sealed record LinkRequired(User User) : SsoSignInResult;

    public sealed record Refused(string Reason, Guid? AccountId, Guid? UserId) : SsoSignInResult;

    /// <summary>Only from a test sign-in: a user would be created just in time (nothing was created).</summary>
    public sealed record WouldProvision(Guid AccountId) : SsoSignInResult;
}

/// <summary>
/// Which user an SSO identity is, like Keycloak's first-broker-login: its stored link; else, for an existing user of
/// the account with the asserted email, a link only after proof (users with a password, every Account Manager among
/// them, confirm on the link page; password-less users are linked only when the connection links existing users by
/// email and they have no link to this IdP yet); else a user created just in time when the account allows it.
/// Transient NameIDs are never linked. Disabled users and users without web access are refused as at password login.
/// </summary>
public sealed class SsoSignIn(SsoLinkStore links, UserStore users, AuditLog audit, SsoLinkNotifier notifier)
{
    public async Task<SsoSignInResult> ResolveAsync(string accountKey, SsoIdentity identity, SsoLinkPolicy policy, string? ip)
    {
        var result = ApplyAccessRules(await MapAsync(accountKey, identity, policy, ip, dryRun: false));
        switch (result)
        {
            case SsoSignInResult.Accepted ok:
                await audit.RecordAsync(SsoAuditEvents.Succeeded, ok.User.AccountId, ok.User.Id, ok.How, ip: ip);
                break;
            case SsoSignInResult.LinkRequired pending:
                await audit.RecordAsync(SsoAuditEvents.LinkRequired, pending.User.AccountId, pending.User.Id, ip: ip);
                break;
            case SsoSignInResult.Refused refused:
                await audit.RecordAsync(SsoAuditEvents.Refused, refused.AccountId, refused.UserId, refused.Reason, ip: ip);
                break;
        }
        return result;
    }

    /// <summary>
    /// The same rules as <see cref="ResolveAsync"/> for a test sign-in, without any effect: no link stored or touched,
    /// no user created, no email. Audited once as <see cref="SsoAuditEvents.TestSignIn"/> with the outcome and the tester.
    /// </summary>
    public async Task<SsoSignInResult> PreviewAsync(string accountKey, SsoIdentity identity, SsoLinkPolicy policy, Guid testerId, string? ip)
    {
        var result = ApplyAccessRules(await MapAsync(accountKey, identity, policy, ip, dryRun: true));
        var (accountId, userId, reason) = result switch
        {
            SsoSignInResult.Accepted a => (a.User.AccountId, (Guid?)a.User.Id, a.How),
            SsoSignInResult.LinkRequired l => (l.User.AccountId, l.User.Id, "link-required"),
            SsoSignInResult.WouldProvision p => (p.AccountId, null, SsoLinkOrigin.Jit),
            SsoSignInResult.Refused r => (r.AccountId, r.UserId, "refused:" + r.Reason),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
        await audit.RecordAsync(SsoAuditEvents.TestSignIn, accountId, userId, reason, testerId, ip);
        return result;
    }

    /// <summary>Disabled users and users without web access are refused as at password login.</summary>
    private static SsoSignInResult ApplyAccessRules(SsoSignInResult result)
    {
        var user = result switch
        {
            SsoSignInResult.Accepted a => a.User,
            SsoSignInResult.LinkRequired l => l.User,
            _ => null,
        };
        if (user is { IsActive: false })
        {
            result = new SsoSignInResult.Refused(SsoRefusal.UserDisabled, user.AccountId, user.Id);
        }
        else if (user is { WebAccess: false })
        {
            result = new SsoSignInResult.Refused(SsoRefusal.NoWebAccess, user.AccountId, user.Id);
        }
        return result;
    }

    /// <param name="dryRun">A test sign-in: decide only; no link is stored or marked used, no user created, nothing emailed.</param>
    private async Task<SsoSignInResult> MapAsync(string accountKey, SsoIdentity identity, SsoLinkPolicy policy, string? ip, bool dryRun)
    {
        var account = await links.FindAccountAsync(accountKey);
        if (account is null)
        {
            return new SsoSignInResult.Refused(SsoRefusal.UnknownAccount, null, null);
        }
        if (account.Status != "active")
        {
            return new SsoSignInResult.Refused(SsoRefusal.AccountDisabled, account.Id, null);
        }
        // Checked before any lookup: no transient NameID was ever linked, and none will be.
        if (NameIdFormats.IsTransient(identity.NameIdFormat))
        {
            return new SsoSignInResult.Refused(SsoRefusal.TransientNameId, account.Id, null);
        }

        if (await links.FindLinkedUserAsync(account.Id, identity.IdpEntityId, identity.NameId, markUsed: !dryRun) is { } linkedId)
        {
            return await AcceptAsync(account, linkedId, "linked");
        }

        if (string.IsNullOrWhiteSpace(identity.Email))
        {
            return new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);
        }
        var email = identity.Email.Trim();
        var matches = await links.FindByEmailAsync(account.Id, email);
        if (matches.Count > 1)
        {
            return new SsoSignInResult.Refused(SsoRefusal.AmbiguousEmail, account.Id, null);
        }
        if (matches.Count == 1)
        {
            return await MatchExistingAsync(account, identity, matches[0], policy, ip, dryRun);
        }
        if (!policy.JitProvisioning)
        {
            return new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);
        }
        if (ValidEmail(email) is not { } valid)
        {
            return new SsoSignInResult.Refused(SsoRefusal.InvalidEmail, account.Id, null);
        }
        if (dryRun)
        {
            return new SsoSignInResult.WouldProvision(account.Id);
        }
        var (userId, created) = await links.CreateLinkedUserAsync(account, identity, valid);
        var result = await AcceptAsync(account, userId, "jit");
        if (created && result is SsoSignInResult.Accepted { User: var user })
        {
            await audit.RecordAsync(SsoAuditEvents.UserProvisioned, account.Id, user.Id, ip: ip);
            await audit.RecordAsync(SsoAuditEvents.Linked, account.Id, user.Id, SsoLinkOrigin.Jit, ip: ip);
            await notifier.SendWelcomeAsync(user, identity);
        }
        return result;
    }

    /// <summary>The one user of the account with the asserted email: a user with a password proves it on the link page.</summary>
    private async Task<SsoSignInResult> MatchExistingAsync(SsoAccount account, SsoIdentity identity, Guid userId, SsoLinkPolicy policy, string? ip,
        bool dryRun)
    {
        if (await users.FindInAccountAsync(account.Id, userId) is not { } user)
        {
            return new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);
        }
        if (user.PasswordHash is not null || user.IsAccountManager)
        {
            return new SsoSignInResult.LinkRequired(user);
        }
        if (!policy.LinkExistingUsersByEmail)
        {
            return new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, user.Id);
        }
        if (await links.HasLinkToIdpAsync(account.Id, user.Id, identity.IdpEntityId))
        {
            return new SsoSignInResult.Refused(SsoRefusal.AlreadyLinked, account.Id, user.Id);
        }
        if (dryRun)
        {
            return new SsoSignInResult.Accepted(user, SsoLinkOrigin.EmailMatch);
        }
        var linked = await links.LinkAsync(account.Id, identity, user.Id, SsoLinkOrigin.EmailMatch);
        if (linked != user.Id)
        {
            // A concurrent first login linked this identity to someone else: follow the link that won.
            return await AcceptAsync(account, linked, "linked");
        }
        await audit.RecordAsync(SsoAuditEvents.Linked, account.Id, user.Id, SsoLinkOrigin.EmailMatch, ip: ip);
        await notifier.SendLinkedAsync(user, identity.IdpEntityId);
        return new SsoSignInResult.Accepted(user, "email-match");
    }

    private async Task<SsoSignInResult> AcceptAsync(SsoAccount account, Guid userId, string how) =>
        await users.FindInAccountAsync(account.Id, userId) is { } user
            ? new SsoSignInResult.Accepted(user, how)
            : new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);

    /// <summary>The rule of admin-created users (UserAdministration): an address MailAddress reads back unchanged, with a dot, at most 254.</summary>
    public static string? ValidEmail(string? email)
    {
        email = email?.Trim();
        return email is { Length: > 0 and <= 254 } && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Contains('.')
            ? email
            : null;
    }
}
