using AccessPlatform.Contracts;
using MassTransit;

namespace AccessPlatform.Notifications.Delivery;

public sealed class SendEmailConsumer(IEmailSender sender, DeliveryLedger ledger, NotificationMetrics metrics, ILogger<SendEmailConsumer> logger)
    : IConsumer<SendEmail>
{
    public Task Consume(ConsumeContext<SendEmail> context) =>
        Delivery.RunAsync(context, context.Message.MessageId, NotificationChannel.Email, context.Message.Purpose, SmtpEmailSender.Provider,
            ct => sender.SendAsync(context.Message, ct), ledger, metrics, logger, context.Message.ExpiresAt);
}

public sealed class SendSmsConsumer(ISmsSender sender, DeliveryLedger ledger, NotificationMetrics metrics, ILogger<SendSmsConsumer> logger)
    : IConsumer<SendSms>
{
    public Task Consume(ConsumeContext<SendSms> context) =>
        Delivery.RunAsync(context, context.Message.MessageId, NotificationChannel.Sms, context.Message.Purpose, TwilioSmsSender.Provider,
            ct => sender.SendAsync(context.Message, ct), ledger, metrics, logger, context.Message.ExpiresAt);
}

/// <summary>The steps every delivery shares: idempotency, metrics, classified failures, the outcome event.</summary>
internal static partial class Delivery
{
    public static async Task RunAsync(ConsumeContext context, Guid messageId, NotificationChannel channel, NotificationPurpose purpose,
        string provider, Func<CancellationToken, Task> send, DeliveryLedger ledger, NotificationMetrics metrics, ILogger logger,
        DateTimeOffset? expiresAt)
    {
        if (expiresAt < DateTimeOffset.UtcNow)
        {
            // A code that can no longer be used must not reach the user late (the worker was down meanwhile).
            metrics.Failed(channel, provider, "expired");
            LogExpired(logger, messageId, channel);
            return;
        }
        if (await ledger.WasDeliveredAsync(messageId))
        {
            LogDuplicate(logger, messageId, channel);
            return;
        }
        var attempt = context.GetRetryAttempt();
        if (attempt > 0)
        {
            metrics.Retried(channel, provider);
        }
        try
        {
            await send(context.CancellationToken);
        }
        catch (TransientDeliveryException ex)
        {
            LogTransient(logger, messageId, channel, ex.ReasonCode, attempt);
            throw; // the retry policy backs off and tries again; the last failure becomes a Fault<T>
        }
        catch (PermanentDeliveryException ex)
        {
            LogPermanent(logger, messageId, channel, ex.ReasonCode);
            throw; // not retried: straight to the _error queue and a Fault<T>
        }
        await ledger.MarkDeliveredAsync(messageId);
        var acceptedAt = DateTimeOffset.UtcNow;
        metrics.Sent(channel, provider, purpose, context.SentTime is { } sent ? acceptedAt - new DateTimeOffset(sent, TimeSpan.Zero) : null);
        LogDelivered(logger, messageId, channel, purpose);
        await context.Publish(new NotificationDelivered(messageId, channel, purpose, acceptedAt));
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Delivered {MessageId} by {Channel} ({Purpose})")]
    private static partial void LogDelivered(ILogger logger, Guid messageId, NotificationChannel channel, NotificationPurpose purpose);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Dropped {MessageId} by {Channel}: expired before delivery")]
    private static partial void LogExpired(ILogger logger, Guid messageId, NotificationChannel channel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Skipped {MessageId} by {Channel}: already delivered")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, NotificationChannel channel);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Transient failure for {MessageId} by {Channel}: {Reason} (attempt {Attempt})")]
    private static partial void LogTransient(ILogger logger, Guid messageId, NotificationChannel channel, string reason, int attempt);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Permanent failure for {MessageId} by {Channel}: {Reason}")]
    private static partial void LogPermanent(ILogger logger, Guid messageId, NotificationChannel channel, string reason);
}

/// <summary>
/// A message that will not be delivered (permanent failure, or retries exhausted) is counted and announced, so the
/// service that asked for it can tell the user clearly; the message itself stays in the _error queue.
/// </summary>
public sealed class DeliveryFaultConsumer(NotificationMetrics metrics) : IConsumer<Fault<SendEmail>>, IConsumer<Fault<SendSms>>
{
    public Task Consume(ConsumeContext<Fault<SendEmail>> context) =>
        Announce(context, context.Message.Message.MessageId, NotificationChannel.Email, context.Message.Message.Purpose, SmtpEmailSender.Provider, context.Message.Exceptions);

    public Task Consume(ConsumeContext<Fault<SendSms>> context) =>
        Announce(context, context.Message.Message.MessageId, NotificationChannel.Sms, context.Message.Message.Purpose, TwilioSmsSender.Provider, context.Message.Exceptions);

    private async Task Announce(ConsumeContext context, Guid messageId, NotificationChannel channel, NotificationPurpose purpose, string provider,
        ExceptionInfo[] exceptions)
    {
        var reason = ReasonOf(exceptions);
        metrics.Failed(channel, provider, reason);
        await context.Publish(new NotificationFailed(messageId, channel, purpose, reason, DateTimeOffset.UtcNow));
    }

    /// <summary>Our delivery exceptions end their message with the reason code; anything else is "unexpected".</summary>
    internal static string ReasonOf(ExceptionInfo[] exceptions) =>
        exceptions.FirstOrDefault() is { } e && e.ExceptionType.EndsWith("DeliveryException", StringComparison.Ordinal) && e.Message.LastIndexOf(": ", StringComparison.Ordinal) is var i and >= 0
            ? e.Message[(i + 2)..]
            : "unexpected";
}
