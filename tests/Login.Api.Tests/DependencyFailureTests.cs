using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;

namespace AccessPlatform.Login.Tests;

/// <summary>Which failures are an outage (503 + Retry-After) and which stay what they are (a bug is still a 500).</summary>
public sealed class DependencyFailureTests
{
    [Fact]
    public void A_redis_connection_or_timeout_failure_is_an_outage_of_redis()
    {
        Assert.Equal("redis", DependencyUnavailableException.DependencyOf(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down")));
        Assert.Equal("redis", DependencyUnavailableException.DependencyOf(new RedisTimeoutException("slow", CommandStatus.Sent)));
    }

    [Fact]
    public void A_postgres_that_cannot_be_reached_is_an_outage_but_a_server_side_error_is_not()
    {
        Assert.Equal("postgres", DependencyUnavailableException.DependencyOf(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        // A constraint violation is our bug or the client's conflict, never "try again later".
        Assert.Null(DependencyUnavailableException.DependencyOf(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
    }

    [Fact]
    public void An_outage_wrapped_by_another_exception_is_still_found_and_other_failures_are_not_outages()
    {
        Assert.Equal("messaging", DependencyUnavailableException.DependencyOf(
            new InvalidOperationException("wrapped", new DependencyUnavailableException("messaging", new TimeoutException()))));
        Assert.Equal("redis", DependencyUnavailableException.DependencyOf(
            new AggregateException(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed"))));
        Assert.Null(DependencyUnavailableException.DependencyOf(new InvalidOperationException("a bug")));
        Assert.Null(DependencyUnavailableException.DependencyOf(new TimeoutException("not ours to call an outage")));
    }
}
