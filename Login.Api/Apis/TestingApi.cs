using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passwords;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

/// <param name="TrustedDeviceId">A device id the user starts out trusting (tests that are not about the second factor).</param>
public sealed record TestUserRequest(string Account, string Username, string Email, string? Phone, string? Password, string? Language,
    string[]? Roles, bool WebAccess = true, string Status = "active", string? TrustedDeviceId = null);

/// <summary>
/// Only with <c>Testing:Enabled</c> (the integration tests set it; nothing else does): create users and move the
/// clock. Under <c>/internal</c>, which the gateway never routes, and with the internal key like every internal route.
/// </summary>
public static class TestingApi
{
    public static IEndpointRouteBuilder MapTestingApi(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue("Testing:Enabled", false))
        {
            return app;
        }
        var testing = app.MapInternalGroup("/internal/testing").WithTags("Testing");
        testing.MapPost("/users", CreateUser);
        // The login benchmark's "hash share": what the hashes of this process cost on their own threads.
        testing.MapGet("/hash-cpu", (Telemetry.LoginMetrics metrics) =>
        {
            var (hashes, cpuMs) = metrics.HashTotals();
            return TypedResults.Ok(new { hashes, cpuMs });
        });
        testing.MapPost("/users/{id:guid}/password", ChangePassword);
        testing.MapPost("/accounts/{key}/sso-enforced", async (string key, Npgsql.NpgsqlDataSource db) =>
        {
            await using var connection = await db.OpenConnectionAsync();
            await using var command = new Npgsql.NpgsqlCommand("UPDATE accounts SET sso_enforced = true WHERE key = @key", connection);
            command.Parameters.AddWithValue("key", key);
            return await command.ExecuteNonQueryAsync() == 1 ? Results.NoContent() : Results.NotFound();
        });
        testing.MapPost("/signup-cleanup", async (Signup.PendingSignupCleanup cleanup) => TypedResults.Ok(await cleanup.RunOnceAsync()));
        // Runs the start-up encryption of plain authenticator secrets again, as a first start of the new version would.
        testing.MapPost("/startup-migrations/totp-secret-encryption", async (Npgsql.NpgsqlDataSource db, SecondFactor.TotpSecretMigration migration) =>
        {
            await using (var command = db.CreateCommand("DELETE FROM startup_migrations WHERE name = 'totp-secret-encryption'"))
            {
                await command.ExecuteNonQueryAsync();
            }
            await migration.RunAsync();
            return TypedResults.NoContent();
        });
        testing.MapPost("/clock", (ClockShift shift, TestClock clock) =>
        {
            clock.Offset = TimeSpan.FromSeconds(shift.OffsetSeconds);
            return TypedResults.Ok(clock.GetUtcNow());
        });
        return app;
    }

    /// <summary>A password change by a path other than a reset link (as a future "change password" page would do it).
    /// Its sessions end through the rotated security stamp, at their next request.</summary>
    private static async Task<Results<NoContent, NotFound>> ChangePassword(Guid id, TestPasswordChange change, UserStore users, PasswordHasher hasher,
        Sessions.SessionStore sessions, TimeProvider clock)
    {
        if (await users.FindByIdAsync(id) is not { } user
            || !await users.SetPasswordAsync(id, user.SecurityStamp, await hasher.HashAsync(change.Password), clock.GetUtcNow().UtcDateTime))
        {
            return TypedResults.NotFound();
        }
        await sessions.UserChangedAsync(id);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Guid>> CreateUser(TestUserRequest request, UserStore users, PasswordHasher hasher,
        Devices.TrustedDeviceStore devices, TimeProvider clock)
    {
        var accountId = await users.EnsureAccountAsync(request.Account, request.Account);
        var id = await users.CreateAsync(new NewUser(accountId, request.Username, request.Email, request.Phone, request.Password is null ? null : await hasher.HashAsync(request.Password),
            request.Language ?? "en", request.Roles ?? [Roles.User], request.WebAccess, request.Status));
        if (request.TrustedDeviceId is { } deviceId)
        {
            await devices.TrustAsync(id, deviceId, "test device", clock.GetUtcNow().UtcDateTime, TimeSpan.FromDays(90), null);
        }
        return TypedResults.Ok(id);
    }
}

public sealed record TestPasswordChange(string Password);

public sealed record ClockShift(double OffsetSeconds);

/// <summary>The system clock plus an offset the tests control (session idle and absolute expiry, lockout expiry).</summary>
public sealed class TestClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
