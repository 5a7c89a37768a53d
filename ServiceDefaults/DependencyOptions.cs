using System.ComponentModel.DataAnnotations;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How long a request waits for Redis, Postgres and other services before it answers 503: short enough that an
/// outage is a clear answer within two seconds, not a hang (see docs/configuration.md, "Dependencies").
/// </summary>
public sealed class DependencyOptions
{
    public const string Section = "Dependencies";

    /// <summary>The <c>Retry-After</c> of a 503 answered because a dependency is down.</summary>
    [Range(1, 300)]
    public int RetryAfterSeconds { get; set; } = 5;

    [Required]
    public RedisDependencyOptions Redis { get; set; } = new();

    [Required]
    public PostgresDependencyOptions Postgres { get; set; } = new();

    /// <summary>One call to another service of the platform (e.g. Sso.Api asking Login.Api about a session), retries included.</summary>
    [Range(200, 30_000)]
    public int InternalCallTimeoutMs { get; set; } = 1500;

    /// <summary>How long a request waits for the message broker to take a notification before it answers 503.</summary>
    [Range(200, 30_000)]
    public int PublishTimeoutMs { get; set; } = 1000;
}

public sealed class RedisDependencyOptions
{
    /// <summary>TCP connect plus handshake of one (re)connection attempt.</summary>
    [Range(100, 30_000)]
    public int ConnectTimeoutMs { get; set; } = 1000;

    /// <summary>One command's round trip (sync and async); a slow server fails the request instead of holding it.</summary>
    [Range(100, 30_000)]
    public int OperationTimeoutMs { get; set; } = 1000;

    /// <summary>Reconnection backs off exponentially from this delay…</summary>
    [Range(100, 60_000)]
    public int ReconnectBaseDelayMs { get; set; } = 500;

    /// <summary>…up to this one, for as long as Redis is away: the service recovers by itself once it is back.</summary>
    [Range(100, 300_000)]
    public int ReconnectMaxDelayMs { get; set; } = 5000;
}

public sealed class PostgresDependencyOptions
{
    /// <summary>Opening a connection, and waiting for a free one when the pool is exhausted (Npgsql <c>Timeout</c>, whole seconds).</summary>
    [Range(1, 60)]
    public int ConnectTimeoutSeconds { get; set; } = 1;

    /// <summary>One statement (Npgsql <c>Command Timeout</c>): the login path's statements take milliseconds.</summary>
    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 5;

    /// <summary>Connections per service replica (Npgsql <c>Maximum Pool Size</c>).</summary>
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 100;
}
