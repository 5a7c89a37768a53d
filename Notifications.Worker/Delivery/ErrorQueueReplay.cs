using RabbitMQ.Client;

namespace AccessPlatform.Notifications.Delivery;

/// <summary>
/// Ops: moves every message of the delivery error queues back to its queue, after the cause was fixed (provider
/// settings, a number corrected). Redelivery is safe: the ledger skips ids that were already delivered. The broker
/// connection is the one Aspire.RabbitMQ.Client keeps (long-lived, auto-recovering, health-checked and traced), not
/// one opened per replay.
/// </summary>
public sealed class ErrorQueueReplay(IConnection connection)
{
    public static readonly string[] Queues = ["send-email", "send-sms"];

    public async Task<Dictionary<string, int>> ReplayAsync(CancellationToken cancellationToken)
    {
        var moved = new Dictionary<string, int>();
        foreach (var queue in Queues)
        {
            // A channel per queue: asking for an error queue that was never created closes the channel.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var count = 0;
            try
            {
                while (count < 10_000 && await channel.BasicGetAsync($"{queue}_error", autoAck: false, cancellationToken) is { } message)
                {
                    await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties(message.BasicProperties), message.Body, cancellationToken);
                    await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                    count++;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                // No failures on this queue yet.
            }
            moved[queue] = count;
        }
        return moved;
    }
}
