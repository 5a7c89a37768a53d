using StackExchange.Redis;

namespace AccessPlatform.Login.SecondFactor;

public enum DeliveryStatus { None, Queued, Sent, Failed }

/// <summary>What the worker reported about a code message, so the code page can say "sent" or "could not be sent".</summary>
public sealed class CodeDeliveryStore(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public Task SetAsync(Guid messageId, DeliveryStatus status) =>
        redis.GetDatabase().StringSetAsync($"otp-delivery:{messageId:N}", status.ToString(), Lifetime);

    public async Task<DeliveryStatus> GetAsync(Guid? messageId)
    {
        if (messageId is null)
        {
            return DeliveryStatus.None;
        }
        var value = await redis.GetDatabase().StringGetAsync($"otp-delivery:{messageId:N}");
        return Enum.TryParse<DeliveryStatus>(value.ToString(), out var status) ? status : DeliveryStatus.Queued;
    }
}
