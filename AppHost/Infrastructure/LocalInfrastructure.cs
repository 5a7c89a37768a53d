using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AccessPlatform.AppHost.Infrastructure;

/// <summary>
/// Postgres, Redis, RabbitMQ and smtp4dev as local processes from Debian packages (and a dotnet tool), for machines
/// without a container runtime. Each listens on the target port DCP allocates behind its usual proxy.
/// </summary>
internal sealed class LocalInfrastructure(IDistributedApplicationBuilder builder, string dataDirectory) : IInfrastructure
{
    public IResourceBuilder<IResourceWithConnectionString> AddPostgres(string name)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql: run ./run.sh once.");
        var data = DataFolder(name);
        // initdb and postgres refuse root: run them as the postgres user, exec so DCP's signals reach postgres.
        const string script = """
            set -e
            as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }
            mkdir -p "$PGDATA"
            if [ "$(id -u)" = 0 ]; then
              chown postgres:postgres "$PGDATA"
              d="$PGDATA"; while [ "$d" != / ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done
            fi
            chmod 700 "$PGDATA"
            [ -f "$PGDATA/PG_VERSION" ] || as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
            if [ "$(id -u)" = 0 ]; then
              exec setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$PGDATA" -p "$PGPORT" -k "$PGDATA" -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300
            fi
            exec "$PGBIN/postgres" -D "$PGDATA" -p "$PGPORT" -k "$PGDATA" -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300
            """;
        var server = AddServer(name, "bash", ep => ReferenceExpression.Create(
                $"Host={ep.Property(EndpointProperty.Host)};Port={ep.Property(EndpointProperty.Port)};Username=postgres;Password=postgres"))
            .WithArgs("-c", script)
            .WithEnvironment("PGDATA", data)
            .WithEnvironment("PGBIN", bin)
            .WithEnvironment(ctx => ctx.EnvironmentVariables["PGPORT"] = ServerOf(ctx).Endpoint.Property(EndpointProperty.TargetPort));
        AddHealthCheck(server, async (resource, ct) =>
        {
            await using var connection = new NpgsqlConnection(await resource.ConnectionStringExpression.GetValueAsync(ct));
            await connection.OpenAsync(ct);
        });
        return server;
    }

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(IResourceBuilder<IResourceWithConnectionString> server, string name)
    {
        var parent = (LocalServerResource)server.Resource;
        var database = builder.AddResource(new LocalDatabaseResource(name, parent))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", Properties = [], State = KnownResourceStates.Waiting });
        builder.Eventing.Subscribe<ResourceReadyEvent>(parent, async (e, ct) =>
        {
            // Also runs after a restart of the server (the outage tests stop and start it), when the previous
            // postmaster may still be going away: a transient failure is tried again rather than failing the start.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await EnsureDatabaseAsync(parent, name, ct);
                    break;
                }
                catch (NpgsqlException ex) when ((ex.IsTransient || ex is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }) && attempt < 10)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.PublishUpdateAsync(database.Resource, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        });
        return database;
    }

    private static async Task EnsureDatabaseAsync(LocalServerResource server, string name, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await server.ConnectionStringExpression.GetValueAsync(ct));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection);
        exists.Parameters.AddWithValue("n", name);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name)
    {
        var redis = AddServer(name, "redis-server", ep => ReferenceExpression.Create(
                $"{ep.Property(EndpointProperty.Host)}:{ep.Property(EndpointProperty.Port)}"))
            .WithArgs(ctx =>
            {
                ctx.Args.Add("--port");
                ctx.Args.Add(ServerOf(ctx).Endpoint.Property(EndpointProperty.TargetPort));
                ctx.Args.Add("--bind");
                ctx.Args.Add("127.0.0.1");
                ctx.Args.Add("--dir");
                ctx.Args.Add(DataFolder(name));
                ctx.Args.Add("--daemonize");
                ctx.Args.Add("no");
                // Sessions and the SAML replay cache survive a restart of Redis: an append-only file, fsynced every
                // second (at most a second of writes is lost), replayed from the data folder at start.
                ctx.Args.Add("--appendonly");
                ctx.Args.Add("yes");
                ctx.Args.Add("--appendfsync");
                ctx.Args.Add("everysec");
            });
        AddHealthCheck(redis, (resource, ct) => Probe(resource, "PING\r\n"u8.ToArray(), "+PONG"u8.ToArray(), ct));
        return redis;
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name)
    {
        var data = DataFolder(name);
        File.WriteAllText(Path.Combine(data, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(data, "rabbitmq-env.conf"), "");
        // epmd runs as its own resource in the foreground, so no stray `epmd -daemon` outlives the stack.
        var epmdPort = FreePort();
        var distPort = FreePort();
        var epmd = builder.AddExecutable($"{name}-epmd", "epmd", data, "-port", epmdPort.ToString(), "-address", "127.0.0.1");
        var rabbit = AddServer(name, "/usr/lib/rabbitmq/bin/rabbitmq-server", ep => ReferenceExpression.Create(
                $"amqp://guest:guest@{ep.Property(EndpointProperty.Host)}:{ep.Property(EndpointProperty.Port)}"))
            .WithEnvironment("HOME", data)
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(data, "rabbitmq-env.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(data, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(data, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(data, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_NODENAME", string.Concat(name, "-", epmdPort.ToString(), "@localhost"))
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_DIST_PORT", distPort.ToString())
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString())
            .WithEnvironment(ctx => ctx.EnvironmentVariables["RABBITMQ_NODE_PORT"] = ServerOf(ctx).Endpoint.Property(EndpointProperty.TargetPort))
            .WaitFor(epmd);
        // An AMQP 0-9-1 protocol header must be answered by a Connection.Start method frame (type 1).
        AddHealthCheck(rabbit, (resource, ct) => Probe(resource, "AMQP\0\0\u0009\u0001"u8.ToArray(), [1], ct));
        return rabbit;
    }

    public IResourceBuilder<IResourceWithConnectionString> AddMailCatcher(string name, int? webPort)
    {
        // smtp4dev comes from the repo's dotnet tool manifest (.config/dotnet-tools.json); run.sh restores it.
        var mail = AddServer(name, "dotnet", ep => ReferenceExpression.Create(
                $"smtp://{ep.Property(EndpointProperty.Host)}:{ep.Property(EndpointProperty.Port)}"), Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..")))
            .WithHttpEndpoint(port: webPort, name: "http")
            .WithArgs(ctx =>
            {
                var self = ServerOf(ctx);
                ctx.Args.Add("tool");
                ctx.Args.Add("run");
                ctx.Args.Add("smtp4dev");
                ctx.Args.Add("--");
                ctx.Args.Add(ReferenceExpression.Create($"--urls=http://127.0.0.1:{new EndpointReference(self, "http").Property(EndpointProperty.TargetPort)}"));
                ctx.Args.Add(ReferenceExpression.Create($"--smtpport={self.Endpoint.Property(EndpointProperty.TargetPort)}"));
                ctx.Args.Add("--imapport=");
                ctx.Args.Add("--pop3port=");
                ctx.Args.Add("--db=");
                ctx.Args.Add("--nousersettings");
                // It keeps 100 messages by default: a test run or the login bench sends far more than that.
                ctx.Args.Add("--messagestokeep=10000");
            });
        AddHealthCheck(mail, (resource, ct) => Probe(resource, null, "220"u8.ToArray(), ct));
        return mail;
    }

    private IResourceBuilder<LocalServerResource> AddServer(
        string name, string command, Func<EndpointReference, ReferenceExpression> connectionString, string? workingDirectory = null) =>
        builder.AddResource(new LocalServerResource(name, command, workingDirectory ?? DataFolder(name), connectionString))
            .WithEndpoint(name: LocalServerResource.EndpointName, scheme: "tcp")
            .WithIconName("Server");

    private static LocalServerResource ServerOf(EnvironmentCallbackContext ctx) => (LocalServerResource)ctx.Resource;

    private static LocalServerResource ServerOf(CommandLineArgsCallbackContext ctx) => (LocalServerResource)ctx.Resource;

    private void AddHealthCheck(IResourceBuilder<LocalServerResource> server, Func<LocalServerResource, CancellationToken, Task> probe)
    {
        var key = $"{server.Resource.Name}-local-check";
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async ct =>
        {
            try
            {
                await probe(server.Resource, ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(ex.GetType().Name);
            }
        });
        server.WithHealthCheck(key);
    }

    /// <summary>Connects to the server's port, optionally sends a greeting, and expects the reply to start with a prefix.</summary>
    private static async Task Probe(LocalServerResource server, byte[]? send, byte[] expect, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Endpoint.Host, server.Endpoint.Port, timeout.Token);
        var stream = client.GetStream();
        if (send is not null)
        {
            await stream.WriteAsync(send, timeout.Token);
        }
        var buffer = new byte[expect.Length];
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        if (!buffer.AsSpan().SequenceEqual(expect))
        {
            throw new InvalidOperationException("unexpected greeting");
        }
    }

    private string DataFolder(string name)
    {
        var path = Path.Combine(dataDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A port free right now: for the Erlang distribution (known before rabbit starts) and the test gateway.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
