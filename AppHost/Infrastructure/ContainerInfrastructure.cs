namespace AccessPlatform.AppHost.Infrastructure;

/// <summary>The usual Aspire containers, used where a container runtime answers.</summary>
internal sealed class ContainerInfrastructure(IDistributedApplicationBuilder builder) : IInfrastructure
{
    public IResourceBuilder<IResourceWithConnectionString> AddPostgres(string name) =>
        builder.AddPostgres(name).WithLifetime(ContainerLifetime.Session);

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(IResourceBuilder<IResourceWithConnectionString> server, string name) =>
        ((IResourceBuilder<PostgresServerResource>)server).AddDatabase(name);

    /// <summary>
    /// Persistent like the local process: a data volume, an RDB snapshot every second when a key changed (Aspire's
    /// own setting) and the append-only file fsynced every second, so sessions and the SAML replay cache survive a
    /// restart of the container.
    /// </summary>
    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name) =>
        builder.AddRedis(name)
            .WithDataVolume()
            .WithPersistence(TimeSpan.FromSeconds(1), keysChangedThreshold: 1)
            .WithArgs(ctx =>
            {
                // Aspire starts the container as `/bin/sh -c "redis-server …"`: AOF goes onto that command line.
                var command = ctx.Args.IndexOf("-c") + 1;
                if (command > 0 && command < ctx.Args.Count && ctx.Args[command] is string line && line.StartsWith("redis-server", StringComparison.Ordinal))
                {
                    ctx.Args[command] = line + " --appendonly yes --appendfsync everysec";
                }
            });

    public IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name) => builder.AddRabbitMQ(name);

    public IResourceBuilder<IResourceWithConnectionString> AddMailCatcher(string name, int? webPort) =>
        builder.AddResource(new MailCatcherContainerResource(name))
            .WithImage("rnwood/smtp4dev", "3.15.0")
            .WithHttpEndpoint(port: webPort, targetPort: 80, name: "http")
            .WithEndpoint(targetPort: 25, name: "smtp", scheme: "tcp")
            // 100 messages by default: a test run or the login bench sends far more than that.
            .WithEnvironment("ServerOptions__NumberOfMessagesToKeep", "10000");
}

internal sealed class MailCatcherContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    private EndpointReference Smtp => new(this, "smtp");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"smtp://{Smtp.Property(EndpointProperty.Host)}:{Smtp.Property(EndpointProperty.Port)}");
}
