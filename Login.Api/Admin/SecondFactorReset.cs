using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.Admin;

/// <summary>
/// "Reset second factors": the way back for a user who lost the phone and has no recovery codes. Every
/// <see cref="ISecondFactorResetParticipant"/> removes its factors, every session ends, the user is emailed and the
/// reset is audited with what was removed. The next sign-in on a new device asks for a code by SMS or email (the
/// factors left). The caller has checked the Account Manager's recent re-authentication.
/// </summary>
public sealed class SecondFactorReset(UserAdministration admin, IEnumerable<ISecondFactorResetParticipant> participants, SessionStore sessions,
    AuditLog audit, RecoveryCodeNotifier notifier)
{
    /// <summary>The factors that were removed; null when the user is not in the actor's account.</summary>
    public async Task<IReadOnlyList<string>?> ResetAsync(AdminActor actor, Guid userId)
    {
        if (await admin.FindAsync(actor, userId) is not { } user)
        {
            return null;
        }
        var removed = new List<string>();
        foreach (var participant in participants)
        {
            if (await participant.ResetAsync(user.Id))
            {
                removed.Add(participant.Factor);
            }
        }
        var ended = await sessions.EndAllAsync(user.Id);
        await audit.RecordAsync(AuditEvents.SecondFactorsReset, actor.AccountId, user.Id,
            $"removed={(removed.Count == 0 ? "none" : string.Join('+', removed))};sessions={ended}", actor.UserId, actor.Ip);
        await notifier.SendFactorsResetAsync(user);
        return removed;
    }
}

public sealed class AuthenticatorResetParticipant(Authenticator authenticator) : ISecondFactorResetParticipant
{
    public string Factor => "authenticator";

    public Task<bool> ResetAsync(Guid userId) => authenticator.RemoveAsync(userId);
}

public sealed class RecoveryCodesResetParticipant(RecoveryCodeStore store) : ISecondFactorResetParticipant
{
    public string Factor => "recovery-codes";

    public Task<bool> ResetAsync(Guid userId) => store.RemoveAsync(userId);
}

public sealed class TrustedDevicesResetParticipant(TrustedDeviceStore devices, TimeProvider clock) : ISecondFactorResetParticipant
{
    public string Factor => "trusted-devices";

    public async Task<bool> ResetAsync(Guid userId) => await devices.RevokeAllAsync(userId, clock.GetUtcNow().UtcDateTime) > 0;
}

public sealed class PasskeysResetParticipant(Passkeys.PasskeyStore passkeys) : ISecondFactorResetParticipant
{
    public string Factor => "passkeys";

    public async Task<bool> ResetAsync(Guid userId) => await passkeys.RemoveAllAsync(userId) > 0;
}
