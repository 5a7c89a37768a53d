using System.Diagnostics.Metrics;
using AccessPlatform.Contracts;

namespace AccessPlatform.Notifications.Delivery;

/// <summary>Delivery metrics; tags are channel, provider, purpose and reason, never a recipient.</summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "AccessPlatform.Notifications";

    private readonly Counter<long> sent;
    private readonly Counter<long> failed;
    private readonly Counter<long> retried;
    private readonly Histogram<double> latency;

    public NotificationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        sent = meter.CreateCounter<long>("notifications.sent", description: "Messages a provider accepted");
        failed = meter.CreateCounter<long>("notifications.failed", description: "Messages that will not be delivered");
        retried = meter.CreateCounter<long>("notifications.retried", description: "Delivery attempts after a transient failure");
        latency = meter.CreateHistogram<double>("notifications.delivery.duration", unit: "s",
            description: "From publish to provider accepted");
    }

    public void Sent(NotificationChannel channel, string provider, NotificationPurpose purpose, TimeSpan? sincePublish)
    {
        sent.Add(1, Tag("channel", channel), Tag("provider", provider), Tag("purpose", purpose));
        if (sincePublish is { } elapsed)
        {
            latency.Record(elapsed.TotalSeconds, Tag("channel", channel), Tag("provider", provider));
        }
    }

    public void Failed(NotificationChannel channel, string provider, string reason) =>
        failed.Add(1, Tag("channel", channel), Tag("provider", provider), Tag("reason", reason));

    public void Retried(NotificationChannel channel, string provider) =>
        retried.Add(1, Tag("channel", channel), Tag("provider", provider));

    private static KeyValuePair<string, object?> Tag(string key, object value) => new(key, value.ToString()?.ToLowerInvariant());
}
