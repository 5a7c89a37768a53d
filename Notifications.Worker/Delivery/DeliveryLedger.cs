using StackExchange.Redis;

namespace AccessPlatform.Notifications.Delivery;

/// <summary>
/// Remembers delivered message ids for a day, so a redelivered message (broker restart, replay from the error queue)
/// is not sent twice.
/// </summary>
public sealed class DeliveryLedger(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public async Task<bool> WasDeliveredAsync(Guid messageId) => await redis.GetDatabase().KeyExistsAsync(Key(messageId));

    public Task MarkDeliveredAsync(Guid messageId) => redis.GetDatabase().StringSetAsync(Key(messageId), 1, Retention);

    private static RedisKey Key(Guid messageId) => $"notifications:delivered:{messageId:N}";
}
