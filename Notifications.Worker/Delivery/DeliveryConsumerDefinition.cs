using MassTransit;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Notifications.Delivery;

/// <summary>
/// Transient failures are retried with exponential backoff, a bounded number of times; everything else (and what
/// is still failing afterwards) lands in the endpoint's <c>_error</c> queue, where ops can inspect and replay it.
/// </summary>
public sealed class DeliveryConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly RetryOptions retry;

    public DeliveryConsumerDefinition(IOptions<RetryOptions> options)
    {
        retry = options.Value;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Exponential(retry.Attempts, TimeSpan.FromMilliseconds(retry.MinIntervalMs), TimeSpan.FromMilliseconds(retry.MaxIntervalMs),
                TimeSpan.FromMilliseconds(retry.IntervalDeltaMs));
            r.Handle<TransientDeliveryException>();
        });
    }
}
