using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Notifications;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.SecondFactor;

public enum AuthenticatorChange { Enrolled, Replaced, Removed }

public abstract record ReplacementResult
{
    public sealed record Started(Authenticator.Enrolment Enrolment) : ReplacementResult;

    public sealed record WrongCode : ReplacementResult;

    public sealed record Locked : ReplacementResult;

    public sealed record NotEnrolled : ReplacementResult;
}

/// <summary>
/// Enrolling, replacing and removing the authenticator app, the same for the page and the API: every change is
/// audited and emailed to the user (ASVS 6.3.7). Whether the session re-authenticated recently is checked before
/// (<see cref="Sessions.RecentAuthentication"/>). Replacing needs a code of the current app, claimed against the
/// user's lockout before it is checked, so a stolen session plus password cannot guess its way to a new app.
/// </summary>
public sealed class AuthenticatorChanges(Authenticator authenticator, UserStore users, AuditLog audit, UserNotifier notifier, LockoutPolicy lockout)
{
    /// <summary>Null when an app is already enrolled.</summary>
    public Task<Authenticator.Enrolment?> BeginAsync(Guid userId, string username) => authenticator.BeginAsync(userId, username);

    public Task<Authenticator.Enrolment?> PendingAsync(Guid userId, string username) => authenticator.PendingAsync(userId, username);

    public async Task<ReplacementResult> BeginReplacementAsync(Guid userId, string username, string code, string? ip)
    {
        if (await users.FindByIdAsync(userId) is not { TotpSecret: not null } user)
        {
            return new ReplacementResult.NotEnrolled();
        }
        // A code of the current app is a second-factor guess: it is claimed from the same counter as at login.
        if (await lockout.ClaimAsync(user, GuessedFactor.SecondFactor) is not { } claim)
        {
            return new ReplacementResult.Locked();
        }
        if (!await authenticator.VerifyCurrentAsync(user.Id, code))
        {
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "authenticator-replace", ip: ip);
            await lockout.FailedAsync(user, claim, ip);
            return new ReplacementResult.WrongCode();
        }
        await lockout.SucceededAsync(user, claim);
        return await authenticator.BeginReplacementAsync(user.Id, username) is { } enrolment
            ? new ReplacementResult.Started(enrolment)
            : new ReplacementResult.NotEnrolled();
    }

    /// <summary>Null when the code does not match a live pending secret.</summary>
    public async Task<AuthenticatorChange?> ConfirmAsync(Guid userId, string? code, string? ip)
    {
        var change = await authenticator.ConfirmAsync(userId, code) switch
        {
            Authenticator.Confirmation.Enrolled => AuthenticatorChange.Enrolled,
            Authenticator.Confirmation.Replaced => AuthenticatorChange.Replaced,
            _ => (AuthenticatorChange?)null,
        };
        if (change is { } done)
        {
            await TellAsync(userId, done, ip);
        }
        return change;
    }

    /// <summary>False when no app was enrolled.</summary>
    public async Task<bool> RemoveAsync(Guid userId, string? ip)
    {
        if (!await authenticator.RemoveAsync(userId))
        {
            return false;
        }
        await TellAsync(userId, AuthenticatorChange.Removed, ip);
        return true;
    }

    private async Task TellAsync(Guid userId, AuthenticatorChange change, string? ip)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return;
        }
        await audit.RecordAsync(change switch
        {
            AuthenticatorChange.Enrolled => AuditEvents.AuthenticatorEnrolled,
            AuthenticatorChange.Replaced => AuditEvents.AuthenticatorReplaced,
            _ => AuditEvents.AuthenticatorRemoved,
        }, user.AccountId, user.Id, ip: ip);
        await notifier.SendAuthenticatorChangedAsync(user, change);
    }
}
