namespace AccessPlatform.Notifications.Delivery;

/// <summary>The provider may accept the message later (SMTP 4xx, connection refused, Twilio 429/5xx): retried with backoff.</summary>
public sealed class TransientDeliveryException(string reasonCode, Exception? inner = null)
    : Exception($"Transient delivery failure: {reasonCode}", inner)
{
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>The provider will never accept it (invalid number, mailbox refused): not retried, goes to the error queue.</summary>
public sealed class PermanentDeliveryException(string reasonCode, Exception? inner = null)
    : Exception($"Permanent delivery failure: {reasonCode}", inner)
{
    public string ReasonCode { get; } = reasonCode;
}
