using AccessPlatform.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Apis;

/// <summary>
/// Delivery checks for ops: <c>/internal/ops</c> backs the dashboard commands (the gateway never routes
/// <c>/internal</c>; every call needs the internal key, which the AppHost's commands send).
/// </summary>
public static class OpsApi
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapInternalGroup("/internal/ops").WithTags("Ops");
        ops.MapPost("/notifications/test", SendTestNotification).WithName("SendTestNotificationInternal");
        if (app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            ops.MapPost("/reset-database", ResetDevDatabase).WithName("ResetDevDatabase");
        }
        return app;
    }

    /// <summary>Development only: drops every table, migrates again, reseeds the demo accounts and clears Redis (but the key ring).</summary>
    public static async Task<Ok<string>> ResetDevDatabase(Npgsql.NpgsqlDataSource db, Data.DevSeed seed,
        StackExchange.Redis.IConnectionMultiplexer redis, IConfiguration configuration, ILoggerFactory logging)
    {
        await using (var command = db.CreateCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        {
            await command.ExecuteNonQueryAsync();
        }
        AccessPlatform.Migrations.DatabaseMigrator.Migrate(AccessPlatform.Migrations.PlatformDatabase.Login,
            configuration.GetConnectionString(AccessPlatform.Migrations.PlatformDatabase.Login.ConnectionName)!,
            logging.CreateLogger("AccessPlatform.Migrations"));
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

    /// <summary>
    /// Sends a test message to ops' own recipients (<see cref="OpsOptions"/>): the first configured one, or the one
    /// <paramref name="to"/> names if it is in the list. Any other address or number is refused, so the key alone
    /// does not make this an open relay for SMS or email.
    /// </summary>
    public static async Task<Results<Accepted<TestNotificationAccepted>, ProblemHttpResult>> SendTestNotification(
        string? channel, string? to, IPublishEndpoint publisher, IOptions<OpsOptions> options, CancellationToken cancellationToken)
    {
        var configured = channel?.ToLowerInvariant() switch
        {
            "email" => options.Value.EmailRecipients,
            "sms" => options.Value.SmsRecipients,
            _ => null,
        };
        if (configured is null)
        {
            return UnknownChannel();
        }
        return Recipient(configured, to) is { } recipient
            ? await PublishTestAsync(channel, recipient, publisher, cancellationToken)
            : TypedResults.Problem(title: "Not an ops recipient",
                detail: "Test messages go only to the recipients in Ops:TestEmailTo / Ops:TestSmsTo.", statusCode: StatusCodes.Status400BadRequest);
    }

    /// <summary>Publishes the test message to a recipient the caller has already vetted.</summary>
    public static async Task<Results<Accepted<TestNotificationAccepted>, ProblemHttpResult>> PublishTestAsync(
        string? channel, string recipient, IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid();
        switch (channel?.ToLowerInvariant())
        {
            case "email":
                await publisher.Publish(new SendEmail(messageId, recipient, "Access Platform test email",
                    "This is a test email from the Access Platform. Delivery settings work.", NotificationPurpose.Test), cancellationToken);
                return TypedResults.Accepted((string?)null, new TestNotificationAccepted(messageId, "email"));
            case "sms":
                await publisher.Publish(new SendSms(messageId, recipient, "Access Platform test SMS: delivery settings work.", NotificationPurpose.Test),
                    cancellationToken);
                return TypedResults.Accepted((string?)null, new TestNotificationAccepted(messageId, "sms"));
            default:
                return UnknownChannel();
        }
    }

    private static ProblemHttpResult UnknownChannel() =>
        TypedResults.Problem(title: "Unknown channel", detail: "channel must be 'email' or 'sms'.", statusCode: 400);

    private static string? Recipient(IReadOnlyList<string> configured, string? requested) =>
        requested is null ? configured.FirstOrDefault() : configured.FirstOrDefault(r => string.Equals(r, requested, StringComparison.OrdinalIgnoreCase));
}

public sealed record TestNotificationAccepted(Guid MessageId, string Channel);
