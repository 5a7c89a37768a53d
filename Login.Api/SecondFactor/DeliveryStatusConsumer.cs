using AccessPlatform.Contracts;
using MassTransit;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>Records what the worker reports about code messages, so the challenge page can say "sent" or "could not be sent".</summary>
public sealed class DeliveryStatusConsumer(CodeDeliveryStore deliveries) : IConsumer<NotificationDelivered>, IConsumer<NotificationFailed>
{
    public Task Consume(ConsumeContext<NotificationDelivered> context) =>
        context.Message.Purpose == NotificationPurpose.OneTimeCode
            ? deliveries.SetAsync(context.Message.MessageId, DeliveryStatus.Sent)
            : Task.CompletedTask;

    public Task Consume(ConsumeContext<NotificationFailed> context) =>
        context.Message.Purpose == NotificationPurpose.OneTimeCode
            ? deliveries.SetAsync(context.Message.MessageId, DeliveryStatus.Failed)
            : Task.CompletedTask;
}
