using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Sso;

/// <summary>Audit event types of SSO logins (stored strings; reason codes in <see cref="SsoRefusal"/>).</summary>
public static class SsoAuditEvents
{
    public const string Succeeded = "sso.succeeded";
    public const string Refused = "sso.refused";
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
}

/// <summary>An identity Sso.Api validated, namespaced by account and IdP (ASVS 6.8.1).</summary>
public sealed record SsoIdentity(string IdpEntityId, string NameId, string? Email, string? GivenName, string? FamilyName);

public abstract record SsoSignInResult
{
    public sealed record Accepted(User User, string How) : SsoSignInResult;

    public sealed record Refused(string Reason, Guid? AccountId, Guid? UserId) : SsoSignInResult;
}

/// <summary>
/// Which user an SSO identity is: its stored link, else (first use) the one user of the account with the asserted
/// email, else a user created just in time when the account allows it. Disabled users and users without web access
/// are refused as they are at password login.
/// </summary>
public sealed class SsoSignIn(SsoLinkStore links, UserStore users, AuditLog audit)
{
    public async Task<SsoSignInResult> ResolveAsync(string accountKey, SsoIdentity identity, bool jitProvisioning, string? ip)
    {
        var result = await MapAsync(accountKey, identity, jitProvisioning);
        switch (result)
        {
            case SsoSignInResult.Accepted accepted when !accepted.User.IsActive:
                result = new SsoSignInResult.Refused(SsoRefusal.UserDisabled, accepted.User.AccountId, accepted.User.Id);
                break;
            case SsoSignInResult.Accepted accepted when !accepted.User.WebAccess:
                result = new SsoSignInResult.Refused(SsoRefusal.NoWebAccess, accepted.User.AccountId, accepted.User.Id);
                break;
        }
        if (result is SsoSignInResult.Accepted ok)
        {
            await audit.RecordAsync(SsoAuditEvents.Succeeded, ok.User.AccountId, ok.User.Id, ok.How, ip: ip);
        }
        else if (result is SsoSignInResult.Refused refused)
        {
            await audit.RecordAsync(SsoAuditEvents.Refused, refused.AccountId, refused.UserId, refused.Reason, ip: ip);
        }
        return result;
    }

    private async Task<SsoSignInResult> MapAsync(string accountKey, SsoIdentity identity, bool jitProvisioning)
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

        if (await links.FindLinkedUserAsync(account.Id, identity.IdpEntityId, identity.NameId) is { } linkedId)
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
            return await AcceptAsync(account, await links.LinkAsync(account.Id, identity, matches[0], "email-match"), "email-match");
        }
        if (!jitProvisioning)
        {
            return new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);
        }
        return await AcceptAsync(account, await links.CreateLinkedUserAsync(account, identity, email), "jit");
    }

    private async Task<SsoSignInResult> AcceptAsync(SsoAccount account, Guid userId, string how) =>
        await users.FindInAccountAsync(account.Id, userId) is { } user
            ? new SsoSignInResult.Accepted(user, how)
            : new SsoSignInResult.Refused(SsoRefusal.NoMatchingUser, account.Id, null);
}
