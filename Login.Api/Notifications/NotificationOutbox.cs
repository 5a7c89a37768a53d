using System.Text.Json;
using AccessPlatform.Contracts;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccessPlatform.Login.Notifications;

/// <summary>
/// Emails that follow a change already made (a lock, a new password, a new link): when the broker does not take one
/// within the request's publish budget, it waits in <c>notification_outbox</c> (encrypted: bodies can hold reset links)
/// and <see cref="NotificationOutboxRelay"/> hands it over later. So the request answers what it did, and the notice is
/// not lost. Only when Postgres refuses it too does the request fail with 503.
/// </summary>
public sealed partial class NotificationOutbox(
    IPublishEndpoint publisher, NpgsqlDataSource db, IDataProtectionProvider protection, IOptions<DependencyOptions> dependencies,
    TimeProvider clock, ILogger<NotificationOutbox> logger)
{
    public const string Purpose = "AccessPlatform.Login.NotificationOutbox.v1";

    private readonly IDataProtector protector = protection.CreateProtector(Purpose);

    /// <exception cref="DependencyUnavailableException">Neither the broker nor Postgres took the email.</exception>
    public async Task PublishAsync(SendEmail email)
    {
        try
        {
            await PublishBounded(publisher, email, dependencies.Value);
        }
        catch (DependencyUnavailableException unavailable)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync();
                var now = clock.GetUtcNow().UtcDateTime;
                await connection.ExecuteAsync("""
                    INSERT INTO notification_outbox (message_id, payload, created_at, next_attempt_at) VALUES (@id, @payload, @now, @now)
                    ON CONFLICT (message_id) DO NOTHING
                    """, new { id = email.MessageId, payload = protector.Protect(JsonSerializer.Serialize(email)), now });
            }
            catch (Exception ex) when (DependencyUnavailableException.DependencyOf(ex) is not null)
            {
                throw unavailable;
            }
            LogKept(logger, email.MessageId, email.Purpose);
        }
    }

    /// <summary>
    /// Hands up to <paramref name="batch"/> due emails to the broker; one that fails again waits twice as long as
    /// before (2 s up to 5 min). Rows are claimed with SKIP LOCKED, so replicas relay in parallel without sending twice.
    /// </summary>
    /// <returns>How many emails the broker took.</returns>
    public async Task<int> RelayOnceAsync(int batch, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await connection.QueryAsync<(Guid MessageId, string Payload, int Attempts)>("""
            SELECT message_id, payload, attempts FROM notification_outbox WHERE next_attempt_at <= @now
            ORDER BY next_attempt_at LIMIT @batch FOR UPDATE SKIP LOCKED
            """, new { now, batch }, transaction);
        var relayed = 0;
        foreach (var (messageId, payload, attempts) in due)
        {
            SendEmail email;
            try
            {
                email = JsonSerializer.Deserialize<SendEmail>(protector.Unprotect(payload))!;
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
            {
                // Sealed with a key the ring no longer has: it can never be sent, and must not block the ones behind it.
                await connection.ExecuteAsync("DELETE FROM notification_outbox WHERE message_id = @messageId", new { messageId }, transaction);
                LogUnreadable(logger, messageId, ex.GetType().Name);
                continue;
            }
            try
            {
                await PublishBounded(publisher, email, dependencies.Value);
                await connection.ExecuteAsync("DELETE FROM notification_outbox WHERE message_id = @messageId", new { messageId }, transaction);
                relayed++;
            }
            catch (DependencyUnavailableException)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(300, 2 * Math.Pow(2, Math.Min(attempts, 10))));
                await connection.ExecuteAsync(
                    "UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = @next WHERE message_id = @messageId",
                    new { messageId, next = now + wait }, transaction);
                LogStillWaiting(logger, messageId, attempts + 1);
                break; // the broker is still away: the rest of the batch waits for the next round
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return relayed;
    }

    /// <summary>
    /// MassTransit waits for the broker as long as it is told to: a request never waits more than
    /// <see cref="DependencyOptions.PublishTimeoutMs"/> for it, then answers 503.
    /// </summary>
    private static async Task PublishBounded<T>(IPublishEndpoint publisher, T message, DependencyOptions options) where T : class
    {
        using var timeout = new CancellationTokenSource(options.PublishTimeoutMs);
        try
        {
            await publisher.Publish(message, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new DependencyUnavailableException("messaging", ex);
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning,
        Message = "The broker did not take email {MessageId} ({Purpose}) in time; it waits in the notification outbox")]
    private static partial void LogKept(ILogger logger, Guid messageId, NotificationPurpose purpose);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Error, Message = "Email {MessageId} in the notification outbox could not be read ({ErrorType}); dropped")]
    private static partial void LogUnreadable(ILogger logger, Guid messageId, string errorType);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Email {MessageId} is still waiting in the notification outbox after {Attempts} attempts")]
    private static partial void LogStillWaiting(ILogger logger, Guid messageId, int attempts);
}

/// <summary>Relays <see cref="NotificationOutbox"/> every <see cref="NotificationOutboxOptions.PollInterval"/> on each replica.</summary>
public sealed partial class NotificationOutboxRelay(IServiceScopeFactory scopes, IOptions<NotificationOutboxOptions> options,
    ILogger<NotificationOutboxRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var outbox = scope.ServiceProvider.GetRequiredService<NotificationOutbox>();
                while (await outbox.RelayOnceAsync(options.Value.BatchSize, stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The type only: data-layer messages can carry parameter values. The next tick tries again.
                LogFailed(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Relaying the notification outbox failed: {ErrorType}")]
    private static partial void LogFailed(ILogger logger, string errorType);
}

public sealed class NotificationOutboxOptions
{
    public const string Section = "Notifications:Outbox";

    /// <summary>How often each replica looks for emails that wait for the broker.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Emails handed over per round trip.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int BatchSize { get; set; } = 50;
}
