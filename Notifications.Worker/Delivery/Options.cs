namespace AccessPlatform.Notifications.Delivery;

public sealed class MailOptions
{
    public const string Section = "Mail";

    public string From { get; set; } = "Access Platform <no-reply@access-platform.local>";
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>Per SMTP operation; a server that accepts but never answers must not hold a delivery for minutes.</summary>
    public int TimeoutMs { get; set; } = 15_000;

    /// <summary>Open connections kept for the next emails; at most as many as emails are sent at once (the consumer's limit).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 64)]
    public int PoolSize { get; set; } = 16;

    /// <summary>A kept connection idle longer than this is closed rather than reused (servers drop idle clients after a minute or more).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int IdleSeconds { get; set; } = 30;
}

public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    public string AccountSid { get; set; } = "";
    public string AuthToken { get; set; } = "";

    /// <summary>Sender number in E.164; ignored when <see cref="MessagingServiceSid"/> is set.</summary>
    public string? From { get; set; }
    public string? MessagingServiceSid { get; set; }

    /// <summary>Where the SDK's requests go instead of https://api.twilio.com (dev and tests: the local sink).</summary>
    public Uri? BaseAddress { get; set; }
}

public sealed class RetryOptions
{
    public const string Section = "Notifications:Retry";

    public int Attempts { get; set; } = 5;
    public int MinIntervalMs { get; set; } = 500;
    public int MaxIntervalMs { get; set; } = 30_000;
    public int IntervalDeltaMs { get; set; } = 1_000;
}
