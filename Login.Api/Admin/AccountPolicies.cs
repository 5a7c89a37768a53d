using AccessPlatform.Login.Audit;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Admin;

/// <summary>An account's security policies as its Account Managers set them.</summary>
/// <param name="SecondFactorFallback">Users may pick weaker second factors than their strongest (SMS or email beside the app).</param>
/// <param name="AccountManagersMustUsePasskey">Account Managers without a passkey are asked to add one right after signing in.</param>
/// <param name="EveryoneMustUsePasskey">Every user without a passkey is asked to add one right after signing in (implies the former).</param>
public sealed record AccountPolicy(bool SecondFactorFallback, bool AccountManagersMustUsePasskey = false, bool EveryoneMustUsePasskey = false)
{
    /// <summary>The stored form of the two passkey settings (<c>accounts.passkey_policy</c>).</summary>
    public string PasskeyPolicy => EveryoneMustUsePasskey ? "everyone" : AccountManagersMustUsePasskey ? "account-managers" : "off";
}

/// <summary>Reads and changes the caller's own account's policies; every change is audited. Shared by the admin page and API.</summary>
public sealed class AccountPolicies(NpgsqlDataSource db, AuditLog audit)
{
    public async Task<AccountPolicy> GetAsync(AdminActor actor)
    {
        await using var connection = await db.OpenConnectionAsync();
        var (fallback, passkeys) = await connection.QuerySingleAsync<(bool, string)>(
            "SELECT second_factor_fallback, passkey_policy FROM accounts WHERE id = @AccountId", actor);
        return new(fallback, passkeys != "off", passkeys == "everyone");
    }

    public async Task SetAsync(AdminActor actor, AccountPolicy policy)
    {
        await using var connection = await db.OpenConnectionAsync();
        var changed = await connection.ExecuteAsync(
            "UPDATE accounts SET second_factor_fallback = @fallback WHERE id = @accountId AND second_factor_fallback <> @fallback",
            new { actor.AccountId, fallback = policy.SecondFactorFallback });
        if (changed == 1)
        {
            await audit.RecordAsync(AuditEvents.AccountPolicyChanged, actor.AccountId, null,
                $"second-factor-fallback:{(policy.SecondFactorFallback ? "on" : "off")}", actor.UserId, actor.Ip);
        }
        var passkeysChanged = await connection.ExecuteAsync(
            "UPDATE accounts SET passkey_policy = @passkeys WHERE id = @accountId AND passkey_policy <> @passkeys",
            new { actor.AccountId, passkeys = policy.PasskeyPolicy });
        if (passkeysChanged == 1)
        {
            await audit.RecordAsync(AuditEvents.AccountPolicyChanged, actor.AccountId, null, $"passkeys-required:{policy.PasskeyPolicy}", actor.UserId, actor.Ip);
        }
    }
}
