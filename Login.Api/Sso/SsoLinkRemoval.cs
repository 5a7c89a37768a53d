using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Sso;

/// <summary>Removes one SSO link of a user (the user on the security page, or an Account Manager on the profile): audited, and the user is told.</summary>
public sealed class SsoLinkRemoval(SsoLinkStore links, UserStore users, AuditLog audit, SsoLinkNotifier notifier)
{
    /// <param name="actorId">The Account Manager who removed it; null when the user removed their own link.</param>
    public async Task<bool> RemoveAsync(Guid accountId, Guid userId, string? idpEntityId, string? nameId, Guid? actorId, string? ip)
    {
        if (idpEntityId is not { Length: > 0 and <= 1024 } || nameId is not { Length: > 0 and <= 1024 }
            || await users.FindInAccountAsync(accountId, userId) is not { } user
            || !await links.RemoveAsync(accountId, userId, idpEntityId, nameId))
        {
            return false;
        }
        await audit.RecordAsync(SsoAuditEvents.LinkRemoved, accountId, userId, actorId is null ? "self" : "admin", actorId, ip);
        await notifier.SendLinkRemovedAsync(user, idpEntityId);
        return true;
    }
}
