using AccessPlatform.Login.Audit;
using Dapper;
using Npgsql;

namespace AccessPlatform.Login.Admin;

/// <summary>An account's security policies as its Account Managers set them.</summary>
/// <param name="SecondFactorFallback">Users may pick weaker second factors than their strongest (SMS or email beside the app).</param>
public sealed record AccountPolicy(bool SecondFactorFallback);

/// <summary>Reads and changes the caller's own account's policies; every change is audited. Shared by the admin page and API.</summary>
public sealed class AccountPolicies(NpgsqlDataSource db, AuditLog audit)
{
    public async Task<AccountPolicy> GetAsync(AdminActor actor)
    {
        await using var connection = await db.OpenConnectionAsync();
        return new(await connection.ExecuteScalarAsync<bool>("SELECT second_factor_fallback FROM accounts WHERE id = @AccountId", actor));
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
    }
}
