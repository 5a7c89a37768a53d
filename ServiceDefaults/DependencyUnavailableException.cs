using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A part the request needs (Redis, Postgres, the message broker, another service) did not answer in time. Thrown by
/// our own code where a library's failure is not recognisable by its type (a publish that timed out, a 503 from
/// another service); <see cref="DependencyUnavailableExceptionHandler"/> turns it into 503 + <c>Retry-After</c>.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, Exception? innerException = null)
    : Exception($"The dependency '{dependency}' is unavailable.", innerException)
{
    /// <summary>The resource name as the dashboard shows it: <c>redis</c>, <c>postgres</c>, <c>messaging</c>, <c>login-api</c>.</summary>
    public string Dependency { get; } = dependency;

    /// <summary>
    /// Which dependency <paramref name="exception"/> (or one of its inner exceptions) says is unreachable, or null when
    /// it is some other failure (a bug, a constraint violation, bad input) that must stay a 500 or its own answer.
    /// </summary>
    public static string? DependencyOf(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DependencyUnavailableException d:
                    return d.Dependency;
                case RedisConnectionException or RedisTimeoutException:
                    return "redis";
                // A server-side error (constraint, syntax) is a PostgresException and not transient: not an outage.
                // 57P01-57P03: the server is shutting down, crashed or is starting — what a pooled connection meets mid-outage.
                case PostgresException { SqlState: "57P01" or "57P02" or "57P03" }:
                    return "postgres";
                case NpgsqlException { IsTransient: true } or NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return "postgres";
            }
        }
        return null;
    }
}
