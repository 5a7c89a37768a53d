using AccessPlatform.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

/// <summary>
/// Delivery checks for ops: <c>/internal/ops</c> backs the dashboard commands (the gateway never routes
/// <c>/internal</c>).
/// </summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/internal/ops").WithTags("Ops");
        ops.MapPost("/notifications/test", SendTestNotification).WithName("SendTestNotificationInternal");
        if (app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            ops.MapPost("/reset-database", ResetDevDatabase).WithName("ResetDevDatabase");
        }
        return app;
    }

    /// <summary>Development only: drops every table, migrates again, reseeds the demo accounts and clears Redis (but the key ring).</summary>
    public static async Task<Ok<string>> ResetDevDatabase(Npgsql.NpgsqlDataSource db, Data.Migrator migrator, Data.DevSeed seed,
        StackExchange.Redis.IConnectionMultiplexer redis)
    {
        await using (var command = db.CreateCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        {
            await command.ExecuteNonQueryAsync();
        }
        migrator.Migrate();
        await seed.SeedAsync();
        // The Data Protection key ring survives: the other services keep using it, and a lost ring voids their tokens.
        var ring = redis.GetDatabase();
        var keys = await ring.ListRangeAsync(PlatformDataProtection.RedisKey);
        foreach (var server in redis.GetServers())
        {
            await server.FlushDatabaseAsync();
        }
        if (keys.Length > 0)
        {
            await ring.ListRightPushAsync(PlatformDataProtection.RedisKey, keys);
        }
        return TypedResults.Ok("login-db reset and reseeded; sessions and challenges cleared");
    }

    public static async Task<Results<Accepted<TestNotificationAccepted>, ProblemHttpResult>> SendTestNotification(
        string? channel, string? to, IPublishEndpoint publisher, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid();
        switch (channel?.ToLowerInvariant())
        {
            case "email":
                var email = to ?? configuration["Ops:TestEmailTo"] ?? "ops@access-platform.local";
                await publisher.Publish(new SendEmail(messageId, email, "Access Platform test email",
                    "This is a test email from the Access Platform. Delivery settings work.", NotificationPurpose.Test), cancellationToken);
                return TypedResults.Accepted((string?)null, new TestNotificationAccepted(messageId, "email"));
            case "sms":
                var number = to ?? configuration["Ops:TestSmsTo"] ?? "+15005550006";
                await publisher.Publish(new SendSms(messageId, number, "Access Platform test SMS: delivery settings work.", NotificationPurpose.Test),
                    cancellationToken);
                return TypedResults.Accepted((string?)null, new TestNotificationAccepted(messageId, "sms"));
            default:
                return TypedResults.Problem(title: "Unknown channel", detail: "channel must be 'email' or 'sms'.", statusCode: 400);
        }
    }
}

public sealed record TestNotificationAccepted(Guid MessageId, string Channel);
