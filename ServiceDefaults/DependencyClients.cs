using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire Redis and Npgsql clients with the platform's outage behaviour (<see cref="DependencyOptions"/>), and the
/// 503 answer for every request that meets a dependency which is down.
/// </summary>
public static class DependencyClients
{
    public static DependencyOptions Options(IConfiguration configuration) =>
        configuration.GetSection(DependencyOptions.Section).Get<DependencyOptions>() ?? new DependencyOptions();

    /// <summary>503 + <c>Retry-After</c> (problem+json, or the page in <typeparamref name="TResource"/>'s texts) when a dependency is down.</summary>
    public static TBuilder AddDependencyUnavailableHandling<TBuilder, TResource>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(new UnavailablePageTexts(typeof(TResource)));
        return builder.AddDependencyUnavailableHandling();
    }

    /// <summary>The same without pages of its own (the worker): browsers get the English page.</summary>
    public static TBuilder AddDependencyUnavailableHandling<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DependencyOptions>().BindConfiguration(DependencyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        return builder;
    }

    /// <summary>
    /// <c>AddRedisClient</c> that never blocks on a Redis that is down: start-up does not wait for it
    /// (<c>abortConnect=false</c>), a command fails at once while disconnected (fail-fast backlog) or after
    /// <see cref="RedisDependencyOptions.OperationTimeoutMs"/>, and the multiplexer keeps reconnecting with back-off.
    /// </summary>
    public static TBuilder AddPlatformRedisClient<TBuilder>(this TBuilder builder, string connectionName) where TBuilder : IHostApplicationBuilder
    {
        var redis = Options(builder.Configuration).Redis;
        builder.AddRedisClient(connectionName, configureOptions: o =>
        {
            o.AbortOnConnectFail = false;
            o.ConnectTimeout = redis.ConnectTimeoutMs;
            o.SyncTimeout = redis.OperationTimeoutMs;
            o.AsyncTimeout = redis.OperationTimeoutMs;
            // Queuing commands while disconnected is what made every request wait the full timeout during an outage.
            o.BacklogPolicy = BacklogPolicy.FailFast;
            o.ReconnectRetryPolicy = new ExponentialRetry(redis.ReconnectBaseDelayMs, redis.ReconnectMaxDelayMs);
            // A dead peer behind a proxy is noticed within seconds, not at the OS's TCP timeout.
            o.KeepAlive = 5;
        });
        return builder;
    }

    /// <summary><c>AddNpgsqlDataSource</c> with short connect and command timeouts (<see cref="PostgresDependencyOptions"/>).</summary>
    public static TBuilder AddPlatformNpgsqlDataSource<TBuilder>(this TBuilder builder, string connectionName, Action<NpgsqlDataSourceBuilder>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        var postgres = Options(builder.Configuration).Postgres;
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: b =>
        {
            b.ConnectionStringBuilder.Timeout = postgres.ConnectTimeoutSeconds;
            b.ConnectionStringBuilder.CommandTimeout = postgres.CommandTimeoutSeconds;
            b.ConnectionStringBuilder.MaxPoolSize = postgres.MaxPoolSize;
            // Dead pooled connections are found by a keepalive rather than by the next request that takes one.
            b.ConnectionStringBuilder.KeepAlive = 5;
            configure?.Invoke(b);
        });
        return builder;
    }
}
