using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// Generating and spending recovery codes, the same for the page and the API: both audited and emailed. Whether the
/// session re-authenticated recently is checked before generating (<see cref="Sessions.RecentAuthentication"/>); a
/// code guess is claimed from the second-factor lockout before it is checked (<see cref="SecondFactorStep"/>).
/// </summary>
public sealed class RecoveryCodeChanges(RecoveryCodeStore store, UserStore users, AuditLog audit, RecoveryCodeNotifier notifier, TimeProvider clock)
{
    public Task<RecoveryCodeStore.Summary> SummaryAsync(Guid userId) => store.SummaryAsync(userId);

    /// <summary>A new set in place of the old one; the codes in plain text exist only in this answer.</summary>
    public async Task<IReadOnlyList<string>?> GenerateAsync(Guid userId, string? ip)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return null;
        }
        var codes = RecoveryCodeFormat.NewSet();
        await store.ReplaceAsync(user.Id, codes, clock.GetUtcNow().UtcDateTime);
        await audit.RecordAsync(AuditEvents.RecoveryCodesGenerated, user.AccountId, user.Id, ip: ip);
        await notifier.SendGeneratedAsync(user);
        return [.. codes.Select(RecoveryCodeFormat.Display)];
    }

    /// <summary>Spends <paramref name="code"/> (already normalized) if it is one of the user's; the number left, or null.</summary>
    public async Task<int?> RedeemAsync(User user, string code, string? ip)
    {
        if (await store.RedeemAsync(user.Id, code, clock.GetUtcNow().UtcDateTime) is not { } remaining)
        {
            return null;
        }
        await audit.RecordAsync(AuditEvents.RecoveryCodeUsed, user.AccountId, user.Id, $"remaining={remaining}", ip: ip);
        await notifier.SendUsedAsync(user, remaining);
        return remaining;
    }
}
