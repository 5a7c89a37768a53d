using System.Collections.Concurrent;

namespace AccessPlatform.TwilioSink;

public sealed class SinkOptions
{
    public string AccountSid { get; set; } = "";
    public string AuthToken { get; set; } = "";
}

/// <summary>One request the sink received, as the SDK sent it.</summary>
public sealed record ReceivedSms(
    string Sid, string AccountSid, string? To, string? From, string? MessagingServiceSid, string? Body,
    string? BasicAuthUser, bool Authenticated, DateTimeOffset ReceivedAt, int Status);

/// <summary>A queued fault: the next requests (to <see cref="To"/>, when given) answer with this HTTP status and Twilio error code.</summary>
public sealed record Fault(int Status, int Code, int Remaining, string? To = null);

public sealed class SmsStore
{
    private readonly ConcurrentQueue<ReceivedSms> messages = new();
    private readonly Lock gate = new();
    private Fault? fault;

    public IReadOnlyList<ReceivedSms> All => [.. messages];

    public void Add(ReceivedSms sms) => messages.Enqueue(sms);

    public void Clear() => messages.Clear();

    public void Inject(Fault next)
    {
        lock (gate) { fault = next; }
    }

    /// <summary>Takes one use of the queued fault, if any.</summary>
    public Fault? TakeFault(string? to)
    {
        lock (gate)
        {
            if (fault is not { Remaining: > 0 } current || (current.To is not null && current.To != to))
            {
                return null;
            }
            fault = current with { Remaining = current.Remaining - 1 };
            return current;
        }
    }
}
